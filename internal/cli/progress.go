package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/devbox-dev/devbox/engine"
)

// printer writes progress events as plain lines, one per event, prefixed
// with the time since start. The live TUI view builds on the same events.
type printer struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	last  map[engine.Ref]string
}

func newPrinter(w io.Writer) *printer {
	return &printer{w: w, start: time.Now(), last: map[engine.Ref]string{}}
}

// event is an engine.Progress.
func (p *printer) event(e engine.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	status := e.Status
	if e.Error != "" {
		status = "failed: " + e.Error
	}
	if p.last[e.Ref] == status {
		return // backends may repeat a status while polling
	}
	p.last[e.Ref] = status
	fmt.Fprintf(p.w, "[%5.1fs] %-20s %s\n", time.Since(p.start).Seconds(), e.Ref, status)
}

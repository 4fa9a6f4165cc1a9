package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/devbox-dev/devbox/engine"
)

// printer shows progress events. On a terminal it keeps one live line per
// resource and redraws them in place; otherwise it writes one plain line per
// status change, which reads well in CI logs.
type printer struct {
	mu    sync.Mutex
	w     io.Writer
	live  bool
	start time.Time
	order []engine.Ref
	last  map[engine.Ref]string
	drawn int // lines drawn by the last live redraw
}

func newPrinter(w io.Writer) *printer {
	return &printer{w: w, live: isTTY(w), start: time.Now(), last: map[engine.Ref]string{}}
}

// event is an engine.Progress.
func (p *printer) event(e engine.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	status := e.Status
	if e.Error != "" {
		status = "failed: " + e.Error
	}
	prev, seen := p.last[e.Ref]
	if seen && prev == status {
		return // backends may repeat a status while polling
	}
	if !seen {
		p.order = append(p.order, e.Ref)
	}
	p.last[e.Ref] = status
	if !p.live {
		fmt.Fprintf(p.w, "[%5.1fs] %-20s %s\n", time.Since(p.start).Seconds(), e.Ref, status)
		return
	}
	p.redraw()
}

// redraw moves the cursor up over the previous block and rewrites it.
func (p *printer) redraw() {
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	for _, ref := range p.order {
		status := p.last[ref]
		mark := "…"
		switch {
		case status == "done":
			mark = "✓"
		case strings.HasPrefix(status, "failed"):
			mark = "✗"
		}
		fmt.Fprintf(&b, "\x1b[2K %s %-22s %s\n", mark, ref, oneLineTrim(status, 100))
	}
	p.drawn = len(p.order)
	io.WriteString(p.w, b.String())
}

func oneLineTrim(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}

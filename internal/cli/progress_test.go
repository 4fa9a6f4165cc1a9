package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
)

func TestPrinterPlainLines(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b)
	db := engine.Ref{Kind: engine.KindService, Name: "db"}
	p.event(engine.Event{Ref: db, Status: "create"})
	p.event(engine.Event{Ref: db, Status: "create"}) // repeat: dropped
	p.event(engine.Event{Ref: db, Status: "failed", Done: true, Error: "boom"})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "service/db           create") || !strings.HasSuffix(lines[1], "failed: boom") {
		t.Errorf("plain output:\n%s", b.String())
	}
}

func TestPrinterLiveRedrawsInPlace(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b)
	p.live = true
	db := engine.Ref{Kind: engine.KindService, Name: "db"}
	web := engine.Ref{Kind: engine.KindService, Name: "web"}
	p.event(engine.Event{Ref: db, Status: "create"})
	p.event(engine.Event{Ref: web, Status: "create"})
	b.Reset()
	p.event(engine.Event{Ref: db, Status: "done", Done: true})
	out := b.String()
	if !strings.HasPrefix(out, "\x1b[2A") || !strings.Contains(out, "✓ service/db") || !strings.Contains(out, "… service/web") {
		t.Errorf("live redraw = %q", out)
	}
}

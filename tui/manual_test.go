package tui

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestManualRun runs the real dashboard on the fake, for a look in a
// terminal: DEVBOX_TUI_MANUAL=1 go test -c -o /tmp/tui.test ./tui &&
// /tmp/tui.test -test.run TestManualRun.
func TestManualRun(t *testing.T) {
	if os.Getenv("DEVBOX_TUI_MANUAL") == "" {
		t.Skip("set DEVBOX_TUI_MANUAL=1 and run the test binary on a terminal")
	}
	f := newFake(shop()...)
	f.upEvents = upEvents()
	go func() { // something changes now and then
		for range time.Tick(5 * time.Second) {
			_ = f.edit("worker", func(s *fakeStatus) {
				if s.State == "running" {
					s.State = "exited"
				} else {
					s.State, s.StartedAt = "running", time.Now().Format(time.RFC3339Nano)
				}
			})
		}
	}()
	if err := Run(context.Background(), f, Options{}); err != nil {
		t.Fatal(err)
	}
}

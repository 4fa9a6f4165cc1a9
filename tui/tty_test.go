//go:build unix

package tui

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRunOnSilentTerminal runs the dashboard on a real terminal that
// answers no queries: script(1)'s. Nothing may wait for an answer, before
// main (bubbletea v1 asked for the background colour in a package init,
// stalling every devbox command 5s) or in Run: the first frame is drawn and
// q quits well within that, and no OSC 11 query is sent at all.
func TestRunOnSilentTerminal(t *testing.T) {
	if os.Getenv("DEVBOX_TUI_TTY_CHILD") != "" {
		if err := Run(context.Background(), newFake(shop()...), Options{Now: testOpts.Now}); err != nil {
			t.Fatal(err)
		}
		return
	}
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1)")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	inner := "stty cols 80 rows 24; exec " + self + " -test.run '^TestRunOnSilentTerminal$'"
	cmd := exec.Command(script, "-qec", inner, "/dev/null")
	// xterm-256color: a terminal bubbletea v1 would have queried.
	cmd.Env = append(os.Environ(), "DEVBOX_TUI_TTY_CHILD=1", "TERM=xterm-256color")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &firstFrameWriter{want: []byte("SERVICE"), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = out, out
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-out.done:
	case <-time.After(4 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("no first frame within 4s; output %q", out.String())
	}
	_, _ = in.Write([]byte("q"))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(4 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("q did not quit; output %q", out.String())
	}
	took := time.Since(t0)
	if err != nil {
		t.Fatalf("%v; output %q", err, out.String())
	}
	if took > 3*time.Second {
		t.Errorf("took %s on a terminal that does not answer, want well under 3s", took)
	}
	if s := out.String(); strings.Contains(s, "\x1b]11;?") {
		t.Errorf("the terminal was asked for its background colour: %q", s)
	}
}

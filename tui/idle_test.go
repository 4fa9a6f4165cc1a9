//go:build unix

package tui

import (
	"context"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestIdleCPU runs the dashboard as Run does (same program options, real
// 2s poll and debounce) on 8 services, leaves it idle and measures the
// process's CPU time. 3s by default; DEVBOX_TUI_IDLE=30s for the figure
// the issue asks for.
func TestIdleCPU(t *testing.T) {
	d := 3 * time.Second
	if v := os.Getenv("DEVBOX_TUI_IDLE"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
	}
	f := newFake(services(8)...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &firstFrameWriter{want: []byte("svc-08"), done: make(chan struct{})}
	opts := append(programOptions(ctx, Options{}), tea.WithInput(nil), tea.WithOutput(w), tea.WithoutSignals(), tea.WithWindowSize(80, 24))
	p := tea.NewProgram(New(ctx, f, testOpts), opts...)
	errc := make(chan error, 1)
	go func() { _, err := p.Run(); errc <- err }()
	select {
	case <-w.done:
	case <-time.After(3 * time.Second):
		t.Fatal("no first frame")
	}

	runtime.GC()
	snaps, cpu0, t0 := f.nSnapshots(), cpuTime(t), time.Now()
	time.Sleep(d)
	used, wall := cpuTime(t)-cpu0, time.Since(t0)
	p.Quit()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	pct := 100 * used.Seconds() / wall.Seconds()
	t.Logf("idle %s: %s CPU = %.3f%% of a core; %d Snapshot calls", wall.Round(time.Millisecond), used, pct, f.nSnapshots()-snaps)
	if pct > 2 {
		t.Errorf("idle CPU %.2f%% of a core, want well under 2%%", pct)
	}
}

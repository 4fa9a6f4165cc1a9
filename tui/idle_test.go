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
// 2s poll and debounce) on 8 services and leaves it idle: it must not poll
// its source faster than the poll interval. The process's CPU time is
// logged, not asserted (it depends on the machine's load; bench/dashboard.sh
// measures it). 3s by default; DEVBOX_TUI_IDLE=30s for a longer look.
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
	polls := f.nSnapshots() - snaps
	t.Logf("idle %s: %s CPU = %.3f%% of a core; %d Snapshot calls", wall.Round(time.Millisecond), used, pct, polls)
	if most := int(wall/(2*time.Second)) + 1; polls > most {
		t.Errorf("%d Snapshot calls in %s idle, want at most %d (one per 2s poll)", polls, wall.Round(time.Millisecond), most)
	}
}

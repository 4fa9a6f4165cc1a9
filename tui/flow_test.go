package tui

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// start runs the dashboard on f in a teatest program at 80×24 and waits
// for the first frame.
func start(t *testing.T, f *fakeSource, opts Options) *teatest.TestModel {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if opts.Now == nil {
		opts.Now = testOpts.Now
	}
	opts.NoColor = true
	tm := teatest.NewTestModel(t, New(ctx, f, opts), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "SERVICE")
	return tm
}

// waitFor waits until the program has drawn every one of wants (in any
// frame since the last wait).
func waitFor(t *testing.T, tm *teatest.TestModel, wants ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range wants {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(3*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// quit presses q and returns the final model.
func quit(t *testing.T, tm *teatest.TestModel) Model {
	t.Helper()
	tm.Send(press("q"))
	return tm.FinalModel(t, teatest.WithFinalTimeout(3*time.Second)).(Model)
}

func TestFlowLogs(t *testing.T) {
	f := newFake(shop()...)
	tm := start(t, f, Options{})
	tm.Send(press("j")) // api
	tm.Send(press("l"))
	waitFor(t, tm, "logs api", "api line 30", "esc:back")
	tm.Send(press("esc"))
	waitFor(t, tm, "SERVICE", "enter:detail")
	m := quit(t, tm)
	if m.mode != modeTable || m.selected != "api" {
		t.Errorf("after back: mode %v, selected %q; want table view on api", m.mode, m.selected)
	}
	if m.logs.cancel != nil {
		t.Error("the log stream was not stopped")
	}
	if !slices.Contains(f.Calls(), "follow api") {
		t.Errorf("calls %v, want follow api", f.Calls())
	}
}

func TestFlowRestart(t *testing.T) {
	f := newFake(shop()...)
	tm := start(t, f, Options{})
	tm.Send(press("r")) // web, the first row
	// The status says so and the row updates: web is up for 0s.
	waitFor(t, tm, "restart web: done", "web      running   healthy   0s")
	m := quit(t, tm)
	if got := f.Calls(); !slices.Contains(got, "restart web") {
		t.Errorf("calls %v, want restart web", got)
	}
	if s := m.snap.Services[0]; s.Name != "web" || s.Restarts != 1 {
		t.Errorf("row after restart: %+v, want web with 1 restart", s)
	}
}

func TestFlowFilter(t *testing.T) {
	f := newFake(shop()...)
	tm := start(t, f, Options{})
	tm.Send(press("/"))
	tm.Type("pos")
	waitFor(t, tm, "/pos")
	tm.Send(press("enter"))
	waitFor(t, tm, "filter:pos")
	m := quit(t, tm) // q quits once the filter is no longer being typed
	view := m.View()
	if !strings.Contains(view, "postgres") || strings.Contains(view, "redis") {
		t.Errorf("filtered view:\n%s", view)
	}
	if m.selected != "postgres" {
		t.Errorf("selected %q, want postgres", m.selected)
	}
	// esc clears the filter.
	m2 := step(t, m, press("esc")).(Model)
	if m2.filter != "" || len(m2.rows()) != 6 {
		t.Errorf("after esc: filter %q, %d rows", m2.filter, len(m2.rows()))
	}
}

func TestFlowQuit(t *testing.T) {
	tm := start(t, newFake(shop()...), Options{})
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(3*time.Second))
}

// TestFlowEvents: a change made behind the dashboard's back (another
// shell stopping a service) shows through the watch, well within the
// poll interval.
func TestFlowEvents(t *testing.T) {
	f := newFake(shop()...)
	tm := start(t, f, Options{PollInterval: time.Hour})
	before := f.nSnapshots()
	if err := f.edit("worker", func(s *fakeStatus) { s.State = "exited" }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tm, "exited")
	quit(t, tm)
	if n := f.nSnapshots() - before; n != 1 {
		t.Errorf("%d Snapshot calls for one event, want 1", n)
	}
}

// TestFlowUnreachable: the engine goes away and comes back; the dashboard
// says so and recovers.
func TestFlowUnreachable(t *testing.T) {
	f := newFake(shop()...)
	tm := start(t, f, Options{PollInterval: 50 * time.Millisecond})
	f.setErr(errors.New("dial unix /var/run/docker.sock: connect: connection refused"))
	waitFor(t, tm, "engine unreachable: dial unix", "retrying", "stale")
	f.setErr(nil)
	waitFor(t, tm, "(6/6 up)")
	m := quit(t, tm)
	if m.snap.Err != nil || strings.Contains(m.View(), "unreachable") {
		t.Errorf("not recovered:\n%s", m.View())
	}
}

// TestUpFlow: u runs Up and shows its events live.
func TestFlowUp(t *testing.T) {
	f := newFake(shop()...)
	f.upEvents = upEvents()
	tm := start(t, f, Options{})
	tm.Send(press("u"))
	waitFor(t, tm, "up finished", "service/worker", "failed: port 9000 is taken")
	quit(t, tm)
	if !slices.Contains(f.Calls(), "up") {
		t.Errorf("calls %v, want up", f.Calls())
	}
}

// TestKeysDirect covers keys whose effects need no program: shell, stop
// and the detail pane following the selection.
func TestKeysDirect(t *testing.T) {
	f := newFake(shop()...)
	m := loaded(t, f, 80, 24)
	m, cmd := m.Update(press("s"))
	if cmd == nil || slices.Contains(f.Calls(), "shell web") {
		t.Fatalf("s: Update must not call the source itself: cmd %v, calls %v", cmd, f.Calls())
	}
	if msg, ok := cmd().(shellCmdMsg); !ok || msg.service != "web" || !slices.Contains(f.Calls(), "shell web") {
		t.Fatalf("s: its command gave %#v, calls %v", msg, f.Calls())
	}
	m, cmd = m.Update(press("x"))
	m = step(t, m, runCmds(cmd)...)
	if got := m.(Model).status; got != "stop web: done" {
		t.Errorf("x: status %q", got)
	}
	m = step(t, m, fetchSnapshot(context.Background(), f)())
	if s, _ := m.(Model).current(); s.State != "stopped" {
		t.Errorf("x: web is %s, want stopped", s.State)
	}
	m, _ = m.Update(press("enter"))
	m, cmd = m.Update(press("j"))
	if d := m.(Model).detail; d.service != "api" || !d.loading || cmd == nil {
		t.Errorf("detail did not follow the selection: %+v", d)
	}
}

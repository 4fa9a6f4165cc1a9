package tui

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/exp/teatest/v2"
)

// flow is the dashboard running in a teatest program at 80×24.
type flow struct {
	*teatest.TestModel
	frames *frameLog
}

// frameLog keeps the frames the program's model has drawn since the last
// wait. Tests read frames rather than the program's output because
// bubbletea's renderer writes only the cells that changed between frames.
type frameLog struct {
	mu     sync.Mutex
	frames []string
}

func (l *frameLog) add(f string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.frames = append(l.frames, f)
}

// take reports whether the frames drawn since the last successful take,
// joined, satisfy done; if they do, they are forgotten.
func (l *frameLog) take(done func(string) bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !done(strings.Join(l.frames, "\n")) {
		return false
	}
	l.frames = nil
	return true
}

func (l *frameLog) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.frames) == 0 {
		return ""
	}
	return l.frames[len(l.frames)-1]
}

// recorder is the dashboard with every frame after an Update logged.
type recorder struct {
	Model
	log *frameLog
}

func (r recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := r.Model.Update(msg)
	r.Model = m.(Model)
	r.log.add(r.frame())
	return r, cmd
}

// start runs the dashboard on f in a teatest program at 80×24 and waits
// for the first frame.
func start(t *testing.T, f *fakeSource, opts Options) *flow {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if opts.Now == nil {
		opts.Now = testOpts.Now
	}
	opts.NoColor = true
	log := &frameLog{}
	tm := teatest.NewTestModel(t, recorder{New(ctx, f, opts), log}, teatest.WithInitialTermSize(80, 24))
	fl := &flow{tm, log}
	waitFor(t, fl, "SERVICE")
	return fl
}

// waitFor waits until the dashboard has drawn every one of wants (in any
// frame since the last wait).
func waitFor(t *testing.T, fl *flow, wants ...string) {
	t.Helper()
	has := func(frames string) bool {
		for _, w := range wants {
			if !strings.Contains(frames, w) {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(3 * time.Second)
	for !fl.frames.take(has) {
		if time.Now().After(deadline) {
			t.Fatalf("no frame with %q within 3s; last frame:\n%s", wants, fl.frames.last())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// quit presses q and returns the final model.
func quit(t *testing.T, fl *flow) Model {
	t.Helper()
	fl.Send(press("q"))
	return fl.FinalModel(t, teatest.WithFinalTimeout(3*time.Second)).(recorder).Model
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
	view := m.View().Content
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
	tm.Send(press("ctrl+c"))
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
	if m.snap.Err != nil || strings.Contains(m.View().Content, "unreachable") {
		t.Errorf("not recovered:\n%s", m.View().Content)
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

// TestRuneBurstIsSeveralKeys: "jlq" read from the terminal at once is three
// presses: select the next row, open its logs, quit.
func TestRuneBurstIsSeveralKeys(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &firstFrameWriter{want: []byte("SERVICE"), done: make(chan struct{})}
	opts := append(programOptions(ctx, Options{In: r, Out: out}), tea.WithoutSignals(), tea.WithWindowSize(80, 24))
	p := tea.NewProgram(New(ctx, newFake(shop()...), testOpts), opts...)
	type result struct {
		m   tea.Model
		err error
	}
	done := make(chan result, 1)
	go func() { m, err := p.Run(); done <- result{m, err} }()
	select {
	case <-out.done:
	case <-time.After(3 * time.Second):
		t.Fatal("no first frame")
	}
	if _, err := w.Write([]byte("jlq")); err != nil {
		t.Fatal(err)
	}
	var res result
	select {
	case res = <-done:
	case <-time.After(3 * time.Second):
		p.Kill()
		t.Fatal("q in the burst did not quit")
	}
	if res.err != nil {
		t.Fatal(res.err)
	}
	if m := res.m.(Model); m.selected != "api" || m.mode != modeLogs {
		t.Errorf("after jlq: selected %q, mode %v; want api in the log view", m.selected, m.mode)
	}
}

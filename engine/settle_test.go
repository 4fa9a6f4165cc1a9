package engine

import (
	"testing"
	"time"
)

func TestSettle(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	rows := []ServiceStatus{
		{Name: "idle", State: StateRunning, StartedAt: t0.Format(time.RFC3339Nano)},
		{Name: "busy", State: StateRunning, StartedAt: t0.Format(time.RFC3339Nano)},
		{Name: "unknown", State: StateRunning, StartedAt: t0.Format(time.RFC3339Nano)},
		{Name: "dies", State: StateRunning, StartedAt: t0.Format(time.RFC3339Nano)},
		{Name: "old", State: StateRunning, StartedAt: at(-3 * time.Second).Format(time.RFC3339Nano)},
		{Name: "stopped", State: StateStopped},
		{Name: "nostart", State: StateRunning},
	}
	s := NewSettle(at(100*time.Millisecond), rows)
	if s.Pending() != 4 {
		t.Fatalf("pending %d, want 4 (idle, busy, unknown, dies)", s.Pending())
	}
	if !s.Deadline().Equal(at(SettleMax)) {
		t.Errorf("deadline %v", s.Deadline())
	}
	ms := time.Millisecond
	// Before SettleMin nothing settles, however idle; a vanished service
	// is done at once.
	s.Observe(at(150*ms), cpus(map[string]time.Duration{"idle": 50 * ms, "busy": 50 * ms, "unknown": CPUUnknown}))
	if s.Pending() != 3 {
		t.Fatalf("after 150ms: pending %d, want 3 (dies gone)", s.Pending())
	}
	cpu := func(idle, busy time.Duration) map[string]Reading {
		return cpus(map[string]time.Duration{"idle": idle, "busy": busy, "unknown": CPUUnknown})
	}
	s.Observe(at(300*ms), cpu(80*ms, 100*ms)) // references taken
	s.Observe(at(350*ms), cpu(80*ms, 140*ms))
	if s.Pending() != 3 {
		t.Fatalf("after 350ms: pending %d, want 3 (idle span too short)", s.Pending())
	}
	s.Observe(at(400*ms), cpu(81*ms, 180*ms)) // 1 ms over 100 ms: idle
	if s.Pending() != 2 {
		t.Fatalf("after 400ms: pending %d, want 2 (idle settled)", s.Pending())
	}
	s.Observe(at(1900*ms), cpu(0, 1500*ms))
	if s.Pending() != 2 {
		t.Fatalf("after 1.9s: pending %d, want 2 (busy, unknown)", s.Pending())
	}
	s.Observe(at(SettleMax), nil)
	if s.Pending() != 0 {
		t.Fatalf("at SettleMax: pending %d, want 0", s.Pending())
	}
}

// TestSettleBusyThenIdle: a span is idle only when it used under 2 % of a
// core; a busy reading restarts the span.
func TestSettleBusyThenIdle(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	s := NewSettle(t0, []ServiceStatus{{Name: "a", State: StateRunning, StartedAt: t0.Format(time.RFC3339Nano)}})
	for i, c := range []struct {
		at, cpu time.Duration
		pending int
	}{
		{300 * ms, 10 * ms, 1},
		{400 * ms, 13 * ms, 1}, // 3 ms in 100 ms: busy, span restarts at 400
		{450 * ms, 13 * ms, 1},
		{500 * ms, 14 * ms, 0}, // 1 ms in 100 ms
	} {
		s.Observe(t0.Add(c.at), cpus(map[string]time.Duration{"a": c.cpu}))
		if s.Pending() != c.pending {
			t.Fatalf("reading %d at %v: pending %d, want %d", i, c.at, s.Pending(), c.pending)
		}
	}
}

// TestSettleNeverRan: a service that has used no CPU at all may not have
// been scheduled yet: it is not idle, it is waited for until SettleMax.
func TestSettleNeverRan(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	s := NewSettle(t0, []ServiceStatus{{Name: "a", State: StateRunning, StartedAt: t0.Format(time.RFC3339Nano)}})
	for at := SettleMin; at < SettleMax; at += 50 * time.Millisecond {
		s.Observe(t0.Add(at), cpus(map[string]time.Duration{"a": 0}))
		if s.Pending() != 1 {
			t.Fatalf("settled at %v without having run", at)
		}
	}
	s.Observe(t0.Add(SettleMax), cpus(map[string]time.Duration{"a": 0}))
	if s.Pending() != 0 {
		t.Fatal("not settled at SettleMax")
	}
}

// cpus makes CPU-only readings.
func cpus(m map[string]time.Duration) map[string]Reading {
	out := make(map[string]Reading, len(m))
	for k, v := range m {
		out[k] = Reading{CPU: v}
	}
	return out
}

// TestSettleListening: a service that listens on its ports has settled at
// once, before SettleMin and however busy; one that does not yet is still
// judged by its CPU.
func TestSettleListening(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	start := t0.Format(time.RFC3339Nano)
	s := NewSettle(t0, []ServiceStatus{{Name: "web", State: StateRunning, StartedAt: start}, {Name: "db", State: StateRunning, StartedAt: start}})
	s.Observe(t0.Add(20*ms), map[string]Reading{"web": {CPU: 30 * ms}, "db": {CPU: 30 * ms}})
	if s.Pending() != 2 {
		t.Fatalf("pending %d, want 2", s.Pending())
	}
	s.Observe(t0.Add(60*ms), map[string]Reading{"web": {CPU: 60 * ms, Listening: true}, "db": {CPU: 60 * ms}})
	if s.Pending() != 1 {
		t.Fatalf("pending %d, want 1 (web listens)", s.Pending())
	}
	s.Observe(t0.Add(SettleMax-ms), map[string]Reading{"db": {CPU: 2 * SettleMax}})
	if s.Pending() != 1 {
		t.Fatal("busy db settled before SettleMax")
	}
}

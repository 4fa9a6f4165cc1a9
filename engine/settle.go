package engine

import (
	"context"
	"time"

	"github.com/devbox-dev/devbox/envfile"
)

// Settling: `up` must not call a service up whose command fails at once,
// so a just-started service without a health check counts as up only once
// it has settled: it has run SettleMax, or — where the backend can read it
// (SettleProbe) — it listens on every TCP port it declares, or it has run
// SettleMin and then used (almost) no CPU for SettleIdle. A command that
// fails at start fails while it is busy starting; one that listens, or has
// gone idle, is waiting for work. Where nothing can be read (a remote
// daemon, an unknown cgroup layout) the fixed window is all there is.
const (
	// SettleMax: 1 s was not always enough on a loaded machine.
	SettleMax = 2 * time.Second
	// SettleMin: before it, a process may not have been scheduled at all
	// on a busy machine; a reference is also only taken once the service
	// has used some CPU (it ran).
	SettleMin  = 150 * time.Millisecond
	SettleIdle = 100 * time.Millisecond
	// settleIdleShare is the CPU share (of one core) below which a span
	// counts as idle: timers and poll loops use a little.
	settleIdleShare = 50 // 1/50 = 2 %
)

// CPUUnknown as a Reading's CPU: the service runs, but its CPU time cannot
// be read.
const CPUUnknown time.Duration = -1

// Reading is what a SettleProbe reads of one running service.
type Reading struct {
	// CPU is its cumulative CPU time, or CPUUnknown.
	CPU time.Duration
	// Listening: it declares TCP ports and listens on every one of them.
	Listening bool
}

// SettleProbe is implemented by backends that can read cheaply (no daemon
// stats cycle) each running service's Reading. Services that are not
// running are absent from the map.
type SettleProbe interface {
	SettleReadings(ctx context.Context, env *envfile.Environment) (map[string]Reading, error)
}

// Settle tracks which just-started services have not settled yet. It is
// pure: callers feed it the time and CPU readings.
type Settle struct {
	started map[string]time.Time
	ref     map[string]cpuRef
}

type cpuRef struct {
	at  time.Time
	cpu time.Duration
}

// NewSettle starts tracking the running services in rows that have run
// less than SettleMax at now. Rows whose start time is unknown are not
// waited for: there is nothing to measure from.
func NewSettle(now time.Time, rows []ServiceStatus) *Settle {
	s := &Settle{started: map[string]time.Time{}, ref: map[string]cpuRef{}}
	for _, r := range rows {
		if r.State != StateRunning {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, r.StartedAt)
		if err == nil && now.Sub(t) < SettleMax {
			s.started[r.Name] = t
		}
	}
	return s
}

// Pending reports how many services have not settled.
func (s *Settle) Pending() int { return len(s.started) }

// Deadline is when the last pending service reaches SettleMax (the zero
// time when none is pending).
func (s *Settle) Deadline() time.Time {
	var d time.Time
	for _, t := range s.started {
		if e := t.Add(SettleMax); e.After(d) {
			d = e
		}
	}
	return d
}

// Observe takes readings at now (nil: no reading, only time passes). A
// service absent from them has stopped running: the caller's next status
// says how it ended, so it is no longer waited for. One that listens has
// settled at once: it ran, and it waits for work.
func (s *Settle) Observe(now time.Time, readings map[string]Reading) {
	for name, t := range s.started {
		age := now.Sub(t)
		if age >= SettleMax {
			delete(s.started, name)
			continue
		}
		if readings == nil {
			continue
		}
		r, ok := readings[name]
		v := r.CPU
		switch {
		case !ok || r.Listening:
			delete(s.started, name)
			continue
		case v == CPUUnknown || v == 0 || age < SettleMin:
			continue
		}
		ref, ok := s.ref[name]
		if !ok || v < ref.cpu || (v-ref.cpu)*settleIdleShare > now.Sub(ref.at) {
			// First reading, a counter reset, or busy since the reference.
			s.ref[name] = cpuRef{at: now, cpu: v}
			continue
		}
		if now.Sub(ref.at) >= SettleIdle {
			delete(s.started, name)
		}
	}
}

package enginetest

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/devbox-dev/devbox/engine"
)

// replace: editing one service's command replaces that service and only
// it; the others keep running, untouched.
func (s *suite) replace(t *testing.T) {
	before := s.observe(t, s.project)
	inc := s.incarnations(t)
	edited := s.parse(t, suiteHCL(s.project, "86400"))
	worker := service("worker")
	p, err := s.planUp(t, edited)
	if err != nil {
		t.Fatal(err)
	}
	expectOps(t, p, map[engine.Ref]engine.Op{worker: engine.OpReplace}, "after editing worker's command")
	if inc != nil {
		// The new worker writes its own marker; the old one must not be
		// mistaken for it where both live in one host.
		s.sh(t, "worker", "rm -f /tmp/devbox-suite-worker")
	}
	s.apply(t, edited, p)
	after := s.observe(t, s.project)
	s.matches(t, s.desiredOf(t, edited), after, "after the replace")
	sameIDs(t, before, after, "after replacing worker", worker)
	if inc != nil {
		now := s.incarnations(t)
		for name, was := range inc {
			switch restarted := now[name] != was; {
			case name == "worker" && !restarted:
				t.Errorf("worker was planned for replace but still runs the process it ran before (%s)", was)
			case name != "worker" && restarted:
				t.Errorf("service %s was restarted by the replace of worker, though the plan kept it", name)
			}
		}
	}
	s.converged(t, edited, "the replace")
	// Back to the base file for the steps after.
	s.up(t, s.env)
	s.converged(t, s.env, "replacing worker back")
}

// stopStart: down stops every running resource and keeps it; up starts
// them all again, making nothing.
func (s *suite) stopStart(t *testing.T) {
	before := s.observe(t, s.project)
	stops := map[engine.Ref]engine.Op{}
	starts := map[engine.Ref]engine.Op{}
	for _, r := range before {
		if r.Runs() {
			stops[r.Ref()], starts[r.Ref()] = engine.OpStop, engine.OpStart
		}
	}
	down := engine.Down(s.project, s.b.Name(), before)
	expectOps(t, down, stops, "down")
	s.apply(t, s.env, down)
	stopped := s.observe(t, s.project)
	sameIDs(t, before, stopped, "after down")
	for _, r := range stopped {
		if r.Runs() && engine.Running(r.State) {
			t.Errorf("after down %s is still %s", r.Ref(), r.State)
		}
	}
	if p := engine.Down(s.project, s.b.Name(), stopped); p.Changes() != 0 {
		t.Errorf("a second down is not empty:\n%s", planText(p))
	}
	p, err := s.planUp(t, s.env)
	if err != nil {
		t.Fatal(err)
	}
	expectOps(t, p, starts, "up after down")
	s.apply(t, s.env, p)
	after := s.observe(t, s.project)
	s.matches(t, s.desiredOf(t, s.env), after, "after up after down")
	sameIDs(t, before, after, "after down and up")
	s.converged(t, s.env, "down and up")
}

// drift: a service stopped by hand, behind devbox's back, is seen stopped
// (the others not) and planned as a start.
func (s *suite) drift(t *testing.T) {
	before := s.observe(t, s.project)
	worker := service("worker")
	if err := s.opts.StopByHand(s.ctx(t), s.project, "worker"); err != nil {
		t.Fatalf("stop worker by hand: %v", err)
	}
	for _, r := range s.observe(t, s.project) {
		switch {
		case r.Ref() == worker && engine.Running(r.State):
			t.Errorf("worker stopped by hand is observed %s", r.State)
		case r.Ref() != worker && r.Runs() && !engine.Running(r.State):
			t.Errorf("stopping worker by hand left %s %s", r.Ref(), r.State)
		}
	}
	p, err := s.planUp(t, s.env)
	if err != nil {
		t.Fatal(err)
	}
	expectOps(t, p, map[engine.Ref]engine.Op{worker: engine.OpStart}, "after worker was stopped by hand")
	s.apply(t, s.env, p)
	after := s.observe(t, s.project)
	s.matches(t, s.desiredOf(t, s.env), after, "after starting worker again")
	sameIDs(t, before, after, "after starting worker again")
	s.converged(t, s.env, "starting worker again")
}

// removeKeepsVolumes: destroy removes everything but the volume, whose
// data a new up finds; destroy --volumes removes it too.
func (s *suite) removeKeepsVolumes(t *testing.T) {
	data := ""
	if s.execer() != nil {
		data = token(t)
		s.sh(t, "db", "echo "+data+" >/data/token")
	} else {
		t.Log("backend has no Execer: volume data is not checked")
	}
	before := s.observe(t, s.project)
	removes := map[engine.Ref]engine.Op{}
	var volumes []engine.Resource
	for _, r := range before {
		switch r.Kind {
		case engine.KindVolume:
			volumes = append(volumes, r)
		case engine.KindImage:
		default:
			removes[r.Ref()] = engine.OpRemove
		}
	}
	p := engine.Destroy(s.project, s.b.Name(), before, false)
	expectOps(t, p, removes, "destroy")
	s.apply(t, s.env, p)
	if left := s.observe(t, s.project); !reflect.DeepEqual(byRef(left), byRef(volumes)) {
		t.Errorf("destroy left\n%s\nwant only the volume\n%s", resText(left), resText(volumes))
	}

	creates := map[engine.Ref]engine.Op{}
	for _, d := range s.desiredOf(t, s.env) {
		if d.Kind != engine.KindVolume {
			creates[d.Ref()] = engine.OpCreate
		}
	}
	up, err := s.planUp(t, s.env)
	if err != nil {
		t.Fatal(err)
	}
	expectOps(t, up, creates, "up after destroy")
	s.apply(t, s.env, up)
	after := s.observe(t, s.project)
	s.matches(t, s.desiredOf(t, s.env), after, "after up after destroy")
	sameIDs(t, volumes, after, "after destroy and up")
	if data != "" {
		if got := strings.TrimSpace(s.sh(t, "db", "cat /data/token 2>&1 || true")); got != data {
			t.Errorf("volume data after destroy and up: %q, want %q", got, data)
		}
	}

	all := map[engine.Ref]engine.Op{}
	for _, r := range after {
		if r.Kind != engine.KindImage {
			all[r.Ref()] = engine.OpRemove
		}
	}
	p = engine.Destroy(s.project, s.b.Name(), after, true)
	expectOps(t, p, all, "destroy --volumes")
	s.apply(t, s.env, p)
	if left := s.observe(t, s.project); len(left) != 0 {
		t.Errorf("destroy --volumes left:\n%s", resText(left))
	}
}

// expectOps checks that p does want's op to each ref in want and keeps
// everything else.
func expectOps(t *testing.T, p engine.Plan, want map[engine.Ref]engine.Op, when string) {
	t.Helper()
	seen := map[engine.Ref]bool{}
	bad := false
	for _, a := range p.Actions {
		ref := a.Resource.Ref()
		seen[ref] = true
		w, ok := want[ref]
		if !ok {
			w = engine.OpKeep
		}
		if a.Op != w {
			t.Errorf("plan %s: %s %s (%s), want %s", when, a.Op, ref, a.Reason, w)
			bad = true
		}
	}
	for ref, op := range want {
		if !seen[ref] {
			t.Errorf("plan %s: no action on %s, want %s", when, ref, op)
			bad = true
		}
	}
	if bad {
		t.Logf("the plan %s:\n%s", when, planText(p))
	}
}

// sameIDs checks that every resource of before (but except) is in after
// with the same engine ID and hash: kept, not made anew.
func sameIDs(t *testing.T, before, after []engine.Resource, when string, except ...engine.Ref) {
	t.Helper()
	now := byRef(after)
	for _, b := range before {
		if hasRef(except, b.Ref()) {
			continue
		}
		a, ok := now[b.Ref()]
		switch {
		case !ok:
			t.Errorf("%s %s is gone", when, b.Ref())
		case a.ID != b.ID || a.Hash != b.Hash:
			t.Errorf("%s %s is another object: id %s hash %s, was id %s hash %s", when, b.Ref(), a.ID, a.Hash, b.ID, b.Hash)
		}
	}
}

func service(name string) engine.Ref { return engine.Ref{Kind: engine.KindService, Name: name} }

func byRef(rs []engine.Resource) map[engine.Ref]engine.Resource {
	m := make(map[engine.Ref]engine.Resource, len(rs))
	for _, r := range rs {
		m[r.Ref()] = r
	}
	return m
}

func hasRef(refs []engine.Ref, r engine.Ref) bool {
	for _, x := range refs {
		if x == r {
			return true
		}
	}
	return false
}

// resText lists resources one a line, sorted, for failure messages.
func resText(rs []engine.Resource) string {
	lines := make([]string, 0, len(rs))
	for _, r := range rs {
		l := fmt.Sprintf("  %s hash=%s id=%s state=%s", r.Ref(), r.Hash, r.ID, r.State)
		if r.Drift != "" {
			l += " drift=" + r.Drift
		}
		lines = append(lines, l)
	}
	sort.Strings(lines)
	if len(lines) == 0 {
		return "  (none)"
	}
	return strings.Join(lines, "\n")
}

func planText(p engine.Plan) string {
	var b strings.Builder
	_ = p.Write(&b)
	return b.String()
}

// logProgress logs events (seen with -v or on failure); it is safe for
// concurrent use, as Progress must be.
func logProgress(t *testing.T) engine.Progress {
	var mu sync.Mutex
	return func(e engine.Event) {
		mu.Lock()
		defer mu.Unlock()
		t.Logf("%s: %s %s", e.Ref, e.Status, e.Error)
	}
}

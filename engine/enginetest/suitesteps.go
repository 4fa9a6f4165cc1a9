package enginetest

import (
	"reflect"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// desired: Desired is pure and stable, and its resources are well formed.
func (s *suite) desired(t *testing.T) {
	src := suiteHCL(s.project, "infinity")
	dir := t.TempDir()
	env, twin := parseIn(t, dir, src), parseIn(t, dir, src)
	first := s.desiredOf(t, env)
	if again := s.desiredOf(t, env); !reflect.DeepEqual(first, again) {
		t.Errorf("Desired differs between two calls on one env:\n%s\n%s", resText(first), resText(again))
	}
	if !reflect.DeepEqual(env, twin) {
		t.Errorf("Desired changed the environment it was given:\n%+v\nwas\n%+v", env, twin)
	}
	other := s.parse(t, src) // another directory
	if d := s.desiredOf(t, other); !reflect.DeepEqual(first, d) {
		t.Errorf("Desired differs for the same file in another directory:\n%s\n%s", resText(first), resText(d))
	}
	// No I/O: a closed connection computes the same resources.
	closed := s.open(t)
	if err := closed.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if d, err := closed.Desired(env); err != nil || !reflect.DeepEqual(first, d) {
		t.Errorf("Desired on a closed backend: %v\n%s\nwant\n%s", err, resText(d), resText(first))
	}
	checkShape(t, first)

	// Editing one command changes that service's hash and no other.
	edited := s.desiredOf(t, s.parse(t, suiteHCL(s.project, "86400")))
	was := byRef(first)
	worker := engine.Ref{Kind: engine.KindService, Name: "worker"}
	for _, r := range edited {
		changed := was[r.Ref()].Hash != r.Hash
		if changed != (r.Ref() == worker) {
			t.Errorf("editing worker's command: %s hash changed = %v", r.Ref(), changed)
		}
	}
}

// checkShape checks that desired resources are well formed: the suite's
// networks, volume and services, edges that point at listed resources,
// and, on a host-shaped backend, one host every service needs.
func checkShape(t *testing.T, rs []engine.Resource) {
	t.Helper()
	refs := byRef(rs)
	if len(refs) != len(rs) {
		t.Errorf("Desired lists a resource twice:\n%s", resText(rs))
	}
	var hosts []engine.Ref
	for _, r := range rs {
		switch r.Kind {
		case engine.KindNetwork, engine.KindVolume, engine.KindService:
		case engine.KindHost:
			hosts = append(hosts, r.Ref())
		default:
			t.Errorf("desired %s: unexpected kind", r.Ref())
		}
		if r.Name == "" || r.Hash == "" {
			t.Errorf("desired %s has no name or no hash", r.Ref())
		}
		if r.ID != "" || r.State != "" || r.Drift != "" {
			t.Errorf("desired %s carries observed fields (id %q, state %q, drift %q)", r.Ref(), r.ID, r.State, r.Drift)
		}
		for _, n := range append(append([]engine.Ref(nil), r.Needs...), r.After...) {
			if _, ok := refs[n]; !ok {
				t.Errorf("desired %s needs or follows %s, which is not desired", r.Ref(), n)
			}
		}
	}
	for _, want := range []engine.Ref{
		{Kind: engine.KindNetwork, Name: "lan"}, {Kind: engine.KindVolume, Name: "data"},
		{Kind: engine.KindService, Name: "db"}, {Kind: engine.KindService, Name: "cache"}, {Kind: engine.KindService, Name: "worker"},
	} {
		if _, ok := refs[want]; !ok {
			t.Errorf("Desired has no %s:\n%s", want, resText(rs))
		}
	}
	if w := refs[engine.Ref{Kind: engine.KindService, Name: "worker"}]; !hasRef(w.After, engine.Ref{Kind: engine.KindService, Name: "db"}) {
		t.Errorf("worker depends on db, but its After is %v", w.After)
	}
	if len(hosts) > 1 {
		t.Errorf("Desired has %d hosts, want at most one", len(hosts))
	}
	if len(hosts) == 1 {
		for _, r := range rs {
			if r.Kind == engine.KindService && !hasRef(r.Needs, hosts[0]) {
				t.Errorf("service %s does not need the host %s", r.Name, hosts[0].Name)
			}
		}
	}
}

// create: an up from nothing makes everything; Observe finds it all.
func (s *suite) create(t *testing.T) {
	if obs := s.observe(t, s.project); len(obs) != 0 {
		t.Fatalf("project %s is not empty before the first up:\n%s", s.project, resText(obs))
	}
	p := s.up(t, s.env)
	for _, a := range p.Actions {
		if a.Op != engine.OpCreate {
			t.Errorf("first up: %s %s, want create", a.Op, a.Resource.Ref())
		}
	}
	s.matches(t, s.desiredOf(t, s.env), s.observe(t, s.project), "after the first up")
	s.converged(t, s.env, "the first up")
}

// matches checks that observed is exactly desired: every resource, by its
// labels, with the same hash, running when it runs, and no drift.
func (s *suite) matches(t *testing.T, desired, observed []engine.Resource, when string) {
	t.Helper()
	obs := byRef(observed)
	for _, d := range desired {
		o, ok := obs[d.Ref()]
		switch {
		case !ok:
			t.Errorf("%s: Observe does not find %s:\n%s", when, d.Ref(), resText(observed))
			continue
		case o.Hash != d.Hash:
			t.Errorf("%s: %s observed with hash %q, desired %q", when, d.Ref(), o.Hash, d.Hash)
		case o.ID == "":
			t.Errorf("%s: %s observed without an engine ID", when, d.Ref())
		case o.Drift != "":
			t.Errorf("%s: %s observed drifting: %s", when, d.Ref(), o.Drift)
		}
		want := engine.StateExists
		if d.Runs() {
			want = engine.StateRunning
		}
		if o.State != want {
			t.Errorf("%s: %s is %q, want %q", when, d.Ref(), o.State, want)
		}
		delete(obs, d.Ref())
	}
	for ref := range obs {
		t.Errorf("%s: Observe finds %s, which is not desired", when, ref)
	}
}

// labels: the objects belong to the project and to no other, and another
// project's objects (of the same names) are not confused with them.
func (s *suite) labels(t *testing.T) {
	before := s.observe(t, s.project)
	// Names around this one, none of a form testenv.Project makes (so no
	// other run's): a match by prefix or substring would see ours.
	for _, other := range []string{s.project + "x", "x" + s.project, s.opts.Project} {
		if obs := s.observe(t, other); len(obs) != 0 {
			t.Errorf("Observe(%q) sees objects of %q:\n%s", other, s.project, resText(obs))
		}
	}
	if s.opts.ProjectLabel != nil {
		for _, r := range before {
			got, err := s.opts.ProjectLabel(s.ctx(t), s.project, r)
			if err != nil || got != s.project {
				t.Errorf("%s (%s): project label %q, %v; want %q", r.Ref(), r.ID, got, err, s.project)
			}
		}
	}

	second := testenv.Project(t, s.opts.Project+"b")
	envB := s.parse(t, smallHCL(second))
	s.destroy(t, second, true)
	t.Cleanup(func() { s.destroy(t, second, true) })
	s.up(t, envB)
	s.matches(t, s.desiredOf(t, envB), s.observe(t, second), "after an up of a second project")
	sameObjects(t, before, s.observe(t, s.project), "after an up of a second project")
	s.destroy(t, second, true)
	if obs := s.observe(t, second); len(obs) != 0 {
		t.Errorf("destroy --volumes of %s left:\n%s", second, resText(obs))
	}
	sameObjects(t, before, s.observe(t, s.project), "after a destroy of a second project")
}

// sameObjects checks that two observations show the same objects (refs,
// IDs, hashes, states).
func sameObjects(t *testing.T, want, got []engine.Resource, when string) {
	t.Helper()
	if !reflect.DeepEqual(byRef(want), byRef(got)) {
		t.Errorf("%s the project's objects changed:\n%s\nwere\n%s", when, resText(got), resText(want))
	}
}

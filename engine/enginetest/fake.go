// Package enginetest provides an in-memory engine.Backend for fast unit
// tests of the planner, the executor and the CLI, in addition to (never
// instead of) the integration tests against real daemons.
package enginetest

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Fake is an in-memory backend. It models docker's shape: one resource per
// network, volume and service; each service needs its networks and volumes.
type Fake struct {
	mu    sync.Mutex
	objs  map[engine.Ref]engine.Resource
	calls []string
	seq   int
	// Fail makes the named call ("create service/db") fail.
	Fail map[string]error
	// Block, when set, is called inside Create and may block (to test cancellation).
	Block func(ctx context.Context, r engine.Resource) error
}

// New returns an empty fake.
func New() *Fake { return &Fake{objs: map[engine.Ref]engine.Resource{}, Fail: map[string]error{}} }

// Name implements engine.Backend.
func (f *Fake) Name() string { return "fake" }

// Endpoint implements engine.Backend.
func (f *Fake) Endpoint() string { return "memory" }

// Close implements engine.Backend.
func (f *Fake) Close() error { return nil }

// Desired implements engine.Backend.
func (f *Fake) Desired(env *envfile.Environment) ([]engine.Resource, error) {
	var out []engine.Resource
	for _, n := range env.Networks {
		out = append(out, engine.Resource{Kind: engine.KindNetwork, Name: n.Name, Hash: engine.Hash(n)})
	}
	for _, v := range env.Volumes {
		out = append(out, engine.Resource{Kind: engine.KindVolume, Name: v.Name, Hash: engine.Hash(v.Name)})
	}
	for _, s := range env.Services {
		r := engine.Resource{Kind: engine.KindService, Name: s.Name, Hash: engine.Hash(env.Image, s)}
		for _, n := range s.Networks {
			r.Needs = append(r.Needs, engine.Ref{Kind: engine.KindNetwork, Name: n})
		}
		vols := make([]string, 0, len(s.Volumes))
		for v := range s.Volumes {
			vols = append(vols, v)
		}
		sort.Strings(vols)
		for _, v := range vols {
			r.Needs = append(r.Needs, engine.Ref{Kind: engine.KindVolume, Name: v})
		}
		for _, d := range s.DependsOn {
			r.After = append(r.After, engine.Ref{Kind: engine.KindService, Name: d})
		}
		out = append(out, r)
	}
	return out, nil
}

// Observe implements engine.Backend.
func (f *Fake) Observe(ctx context.Context, project string) ([]engine.Resource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]engine.Resource, 0, len(f.objs))
	for _, r := range f.objs {
		out = append(out, r)
	}
	return out, nil
}

func (f *Fake) record(op string, r engine.Resource) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	call := op + " " + r.Ref().String()
	f.calls = append(f.calls, call)
	return f.Fail[call]
}

// Create implements engine.Backend.
func (f *Fake) Create(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	if f.Block != nil {
		if err := f.Block(ctx, r); err != nil {
			return err
		}
	}
	if err := f.record("create", r); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.objs[r.Ref()]; ok {
		return fmt.Errorf("fake: %s already exists", r.Ref())
	}
	f.seq++
	r.ID = fmt.Sprintf("id%d", f.seq)
	r.State = engine.StateExists
	if r.Runs() {
		r.State = engine.StateRunning
	}
	r.Needs, r.After = nil, nil // observed resources carry no edges
	f.objs[r.Ref()] = r
	return nil
}

func (f *Fake) setState(r engine.Resource, state string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objs[r.Ref()]
	if !ok {
		return fmt.Errorf("fake: %s not found", r.Ref())
	}
	o.State = state
	f.objs[r.Ref()] = o
	return nil
}

// Start implements engine.Backend.
func (f *Fake) Start(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	if err := f.record("start", r); err != nil {
		return err
	}
	return f.setState(r, engine.StateRunning)
}

// Stop implements engine.Backend.
func (f *Fake) Stop(ctx context.Context, project string, r engine.Resource, p engine.Progress) error {
	if err := f.record("stop", r); err != nil {
		return err
	}
	return f.setState(r, engine.StateStopped)
}

// Remove implements engine.Backend.
func (f *Fake) Remove(ctx context.Context, project string, r engine.Resource, p engine.Progress) error {
	if err := f.record("remove", r); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.objs[r.Ref()]; !ok {
		return fmt.Errorf("fake: %s not found", r.Ref())
	}
	delete(f.objs, r.Ref())
	return nil
}

// Calls returns the calls made so far, in order, and forgets them.
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// ID returns the engine ID of a resource, or "".
func (f *Fake) ID(kind engine.Kind, name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.objs[engine.Ref{Kind: kind, Name: name}].ID
}

// Package enginetest provides an in-memory engine.Backend for fast unit
// tests of the planner, the executor and the CLI, in addition to (never
// instead of) the integration tests against real daemons, and BackendSuite,
// the conformance test every backend (this fake included) runs.
package enginetest

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Fake is an in-memory backend. By default it models docker's shape: one
// resource per network, volume and service; each service needs its
// networks and volumes. WithHost makes it model lxc's: one host per
// project needs the networks and volumes, and every service needs the
// host, lives in it (removed with it) and runs only while it runs. Objects
// belong to the project they were made for; Observe sees only those.
type Fake struct {
	mu    sync.Mutex
	host  bool
	objs  map[key]engine.Resource
	calls []string
	seq   int
	// scales are the ScaleRecorder records, by project.
	scales map[string]map[string]engine.Scale
	// Fail makes the named call ("create service/db") fail.
	Fail map[string]error
	// Block, when set, is called inside Create and may block (to test cancellation).
	Block func(ctx context.Context, r engine.Resource) error
}

// key names an object within the whole fake engine, as labels do.
type key struct {
	project string
	ref     engine.Ref
}

// Option configures a Fake.
type Option func(*Fake)

// WithHost makes the fake host-shaped, like lxc: services live in one host.
func WithHost() Option { return func(f *Fake) { f.host = true } }

// New returns an empty fake.
func New(opts ...Option) *Fake {
	f := &Fake{objs: map[key]engine.Resource{}, Fail: map[string]error{}}
	for _, o := range opts {
		o(f)
	}
	return f
}

// HostName is the host resource of a project on a host-shaped fake.
func HostName(project string) string { return "fake-" + project }

// Name implements engine.Backend.
func (f *Fake) Name() string { return "fake" }

// Endpoint implements engine.Backend.
func (f *Fake) Endpoint() string { return "memory" }

// Close implements engine.Backend.
func (f *Fake) Close() error { return nil }

// Desired implements engine.Backend.
func (f *Fake) Desired(env *envfile.Environment) ([]engine.Resource, error) {
	var out []engine.Resource
	var storage []engine.Ref // what the host (or each service) is made on
	for _, n := range env.Networks {
		out = append(out, engine.Resource{Kind: engine.KindNetwork, Name: n.Name, Hash: engine.Hash(n)})
		storage = append(storage, engine.Ref{Kind: engine.KindNetwork, Name: n.Name})
	}
	for _, v := range env.Volumes {
		out = append(out, engine.Resource{Kind: engine.KindVolume, Name: v.Name, Hash: engine.Hash(v.Name)})
		storage = append(storage, engine.Ref{Kind: engine.KindVolume, Name: v.Name})
	}
	var host engine.Ref
	if f.host {
		// As on lxc: the host holds the image and every mount; a service
		// is only its program, so editing a command touches no host.
		mounts := map[string]map[string]string{}
		for _, s := range env.DeclaredServices() { // replicas do not change the host
			mounts[s.Name] = s.Volumes
		}
		h := engine.Resource{Kind: engine.KindHost, Name: HostName(env.Project), Hash: engine.Hash("host", env.Image, env.Networks, env.Volumes, mounts), Needs: storage}
		out = append(out, h)
		host = h.Ref()
	}
	for _, s := range env.Services {
		r := engine.Resource{Kind: engine.KindService, Name: s.Name, Hash: engine.Hash(env.Image, s)}
		if f.host {
			r.Hash = engine.Hash("unit", s.Command, s.Env, s.User, s.Workdir, s.DependsOn, s.Health)
			r.Needs = []engine.Ref{host}
		} else {
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
		}
		for _, d := range s.DependsOn {
			for _, m := range env.Members(d) {
				r.After = append(r.After, engine.Ref{Kind: engine.KindService, Name: m})
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// Observe implements engine.Backend: the project's objects only. On a
// host-shaped fake a service is stopped while its host is.
func (f *Fake) Observe(ctx context.Context, project string) ([]engine.Resource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	hostUp := f.hostRunning(project)
	var out []engine.Resource
	for k, r := range f.objs {
		if k.project != project {
			continue
		}
		if f.host && r.Kind == engine.KindService && !hostUp {
			r.State = engine.StateStopped
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref().String() < out[j].Ref().String() })
	return out, nil
}

// hostRunning reports whether project's host runs; f.mu is held.
func (f *Fake) hostRunning(project string) bool {
	h, ok := f.objs[key{project, engine.Ref{Kind: engine.KindHost, Name: HostName(project)}}]
	return ok && h.State == engine.StateRunning
}

func (f *Fake) record(op string, r engine.Resource) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	call := op + " " + r.Ref().String()
	f.calls = append(f.calls, call)
	return f.Fail[call]
}

func projectOf(env *envfile.Environment) string {
	if env == nil {
		return ""
	}
	return env.Project
}

// Create implements engine.Backend. What r needs must exist (and a host
// must run), as on a real engine, so an executor that orders wrongly fails.
func (f *Fake) Create(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	if f.Block != nil {
		if err := f.Block(ctx, r); err != nil {
			return err
		}
	}
	if err := f.record("create", r); err != nil {
		return err
	}
	project := projectOf(env)
	f.mu.Lock()
	defer f.mu.Unlock()
	k := key{project, r.Ref()}
	if o, ok := f.objs[k]; ok {
		if r.Kind != engine.KindVolume {
			return fmt.Errorf("fake: %s already exists", r.Ref())
		}
		o.Hash = r.Hash // a volume is adopted: its labels are rewritten
		f.objs[k] = o
		return nil
	}
	for _, n := range r.Needs {
		if _, ok := f.objs[key{project, n}]; !ok {
			return fmt.Errorf("fake: create %s: %s does not exist", r.Ref(), n)
		}
		if n.Kind == engine.KindHost && !f.hostRunning(project) {
			return fmt.Errorf("fake: create %s: %s is not running", r.Ref(), n)
		}
	}
	f.seq++
	r.ID = fmt.Sprintf("id%d", f.seq)
	r.State = engine.StateExists
	if r.Runs() {
		r.State = engine.StateRunning
	}
	r.Needs, r.After = nil, nil // observed resources carry no edges
	f.objs[k] = r
	return nil
}

func (f *Fake) setState(project string, r engine.Resource, state string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := key{project, r.Ref()}
	o, ok := f.objs[k]
	if !ok {
		return fmt.Errorf("fake: %s not found", r.Ref())
	}
	if f.host && r.Kind == engine.KindService && state == engine.StateRunning && !f.hostRunning(project) {
		return fmt.Errorf("fake: start %s: host %s is not running", r.Ref(), HostName(project))
	}
	o.State = state
	f.objs[k] = o
	return nil
}

// Start implements engine.Backend.
func (f *Fake) Start(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	if err := f.record("start", r); err != nil {
		return err
	}
	return f.setState(projectOf(env), r, engine.StateRunning)
}

// Stop implements engine.Backend.
func (f *Fake) Stop(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	project := env.Project
	if err := f.record("stop", r); err != nil {
		return err
	}
	return f.setState(project, r, engine.StateStopped)
}

// Remove implements engine.Backend. Removing a host removes the services
// in it.
func (f *Fake) Remove(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	project := env.Project
	if err := f.record("remove", r); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := key{project, r.Ref()}
	if _, ok := f.objs[k]; !ok {
		return fmt.Errorf("fake: %s not found", r.Ref())
	}
	delete(f.objs, k)
	if r.Kind == engine.KindHost {
		for o := range f.objs {
			if o.project == project && o.ref.Kind == engine.KindService {
				delete(f.objs, o)
			}
		}
	}
	return nil
}

// StopByHand stops a service behind devbox's back, as `docker stop` or
// `systemctl stop` would: the hook BackendSuite needs for drift.
func (f *Fake) StopByHand(ctx context.Context, project, service string) error {
	return f.setState(project, engine.Resource{Kind: engine.KindService, Name: service}, engine.StateStopped)
}

// ProjectLabel reads the project an observed resource's object belongs
// to from the objects themselves, for BackendSuite.
func (f *Fake) ProjectLabel(ctx context.Context, project string, r engine.Resource) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, o := range f.objs {
		if o.ID == r.ID {
			return k.project, nil
		}
	}
	return "", fmt.Errorf("fake: no object %s", r.ID)
}

// Calls returns the calls made so far, in order, and forgets them.
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// ID returns the engine ID of a resource, in whichever project holds it
// (tests of one project), or "".
func (f *Fake) ID(kind engine.Kind, name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, o := range f.objs {
		if k.ref == (engine.Ref{Kind: kind, Name: name}) {
			return o.ID
		}
	}
	return ""
}

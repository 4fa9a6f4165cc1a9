package tools

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Run runs a tool's command with args in its warm container, made ready
// by Ensure first; the run holds its directory's lock until it ends, and
// the idle containers the plan removes go while the program runs.
func Run(ctx context.Context, tb engine.ToolBackend, env *envfile.Environment, name string, args []string, opts engine.ToolOptions, stdio engine.Stdio) (int, error) {
	t := env.Tool(name)
	if t == nil {
		return -1, fmt.Errorf("%s: no tool %q in %s", tb.Name(), name, env.File)
	}
	if err := CheckWorkdir(opts.Workdir); err != nil {
		return -1, fmt.Errorf("%s: tool %q: %w", tb.Name(), name, err)
	}
	if opts.Progress == nil {
		opts.Progress = engine.Discard
	}
	l, err := Ensure(ctx, tb, env, t, opts)
	if err != nil {
		return -1, err
	}
	defer l.Release()
	tidied := l.Tidy(ctx, tb, opts.Progress)
	defer func() { <-tidied }()
	return tb.ExecTool(ctx, l.Container, t, args, opts, stdio)
}

// Lease is a container readied for one run: the run's lock on its
// directory (shared), and the idle containers still to remove.
type Lease struct {
	Container engine.ToolContainer
	held      *DirLock
	// idle are the removals the plan left for Tidy; done releases the
	// tool's lock and their locks after them.
	idle []engine.ToolStep
	done func()
}

// Tidy removes the lease's idle containers in the background (a failure
// is reported, not fatal: the next plan removes them) and closes the
// channel it returns when it is done.
func (l *Lease) Tidy(ctx context.Context, tb engine.ToolBackend, p engine.Progress) <-chan struct{} {
	ch := make(chan struct{})
	idle, done := l.idle, l.done
	l.idle, l.done = nil, nil
	go func() {
		defer close(ch)
		if done != nil {
			defer done()
		}
		for _, s := range idle {
			if err := tb.RemoveTool(context.WithoutCancel(ctx), s.Container.Name); err != nil {
				p(engine.Event{Ref: engine.Ref{Kind: engine.KindTool, Name: s.Container.Tool}, Status: err.Error()})
			}
		}
	}()
	return ch
}

// Release ends the run's hold (and whatever Tidy was not asked to do).
func (l *Lease) Release() {
	if l.done != nil {
		l.done()
		l.done = nil
	}
	l.held.Release()
}

// Ensure readies a running container of t with opts.Workdir mounted and
// leases it to the caller, who releases it when the program ends.
//
// Each run holds its container's lock on its directory shared for its
// whole duration, and a container is removed, or a directory unmounted,
// only by whoever takes that lock exclusively, so none is taken from a
// running program. The warm path takes the lock, observes, and execs when
// the plan is to keep; anything else is planned again and applied under
// the tool's lock, one devbox run at a time, the others then finding it
// ready.
func Ensure(ctx context.Context, tb engine.ToolBackend, env *envfile.Environment, t *envfile.Tool, opts engine.ToolOptions) (*Lease, error) {
	img, err := tb.ToolImage(ctx, t, opts.Progress)
	if err != nil {
		return nil, fmt.Errorf("%s: tool %q: %w", tb.Name(), t.Name, err)
	}
	_, hot := tb.(engine.ToolMounter)
	w := engine.ToolWant{Tool: t.Name, UID: opts.UID, Base: Name(env.Project, t.Name, opts.UID), Hash: Hash(t, img.ID), Dir: opts.Workdir, HotMount: hot}
	e := ensurer{tb: tb, env: env, t: t, img: img, w: w, opts: opts, lockDir: engine.LockDir(os.Getenv)}
	// The first container's lock is taken before looking: usually (one
	// directory at a time) that one is warm, and what was seen stays so.
	held, err := HoldDir(ctx, e.lockDir, e.owner(w.Base), w.Dir)
	if err != nil {
		return nil, e.fail(err)
	}
	cs, err := tb.ObserveTools(ctx, env.Project, t.Name, opts.UID)
	if err != nil {
		held.Release()
		return nil, e.fail(err)
	}
	if p, err := engine.PlanTool(w, cs); err == nil && p.Warm() && p.Use == w.Base {
		return &Lease{Container: p.Steps[0].Container, held: held}, nil
	}
	held.Release()
	l, err := e.cold(ctx)
	if err != nil {
		return nil, e.fail(err)
	}
	return l, nil
}

// ensurer is one Ensure's inputs.
type ensurer struct {
	tb      engine.ToolBackend
	env     *envfile.Environment
	t       *envfile.Tool
	img     engine.ToolImage
	w       engine.ToolWant
	opts    engine.ToolOptions
	lockDir string
}

func (e ensurer) owner(name string) string { return e.tb.Name() + "-" + name }

func (e ensurer) fail(err error) error {
	return fmt.Errorf("%s: tool %q: %w", e.tb.Name(), e.t.Name, err)
}

// cold plans with the directories in use probed and applies, under the
// tool's lock; removals of idle containers are left to Lease.Tidy, which
// then keeps the lock.
func (e ensurer) cold(ctx context.Context) (l *Lease, err error) {
	unlock, err := engine.Lock(ctx, e.lockDir, e.tb.Name()+"-tool", e.w.Base, func() {
		e.opts.Progress(engine.Event{Ref: engine.Ref{Kind: engine.KindTool, Name: e.t.Name}, Status: "waiting for another devbox run to set up " + e.w.Base})
	})
	if err != nil {
		return nil, err
	}
	cs, err := e.tb.ObserveTools(ctx, e.env.Project, e.t.Name, e.opts.UID)
	if err != nil {
		unlock()
		return nil, err
	}
	probe := probeDirs(e.lockDir, e.owner, cs)
	done := func() { probe.releaseAll(); unlock() }
	defer func() {
		if err != nil {
			done()
		}
	}()
	p, err := engine.PlanTool(e.w, cs)
	if err != nil {
		return nil, err
	}
	// The run's own lock: the one probed exclusively (turned shared once
	// the container is ready), else shared now, beside other runs.
	held := probe.take(p.Use, e.w.Dir)
	exclusive := held != nil
	if !exclusive {
		if held, err = HoldDir(ctx, e.lockDir, e.owner(p.Use), e.w.Dir); err != nil {
			return nil, err
		}
	}
	l = &Lease{held: held, done: done}
	for _, s := range p.Steps {
		if s.Op == engine.OpRemove {
			l.idle = append(l.idle, s)
		}
	}
	l.Container, err = apply(ctx, e.tb, e.env, e.t, e.img, p, e.opts)
	if err == nil && exclusive {
		err = held.Share()
	}
	if err != nil {
		held.Release()
		return nil, err
	}
	return l, nil
}

// apply carries out a tool plan and returns the container to use.
func apply(ctx context.Context, tb engine.ToolBackend, env *envfile.Environment, t *envfile.Tool, img engine.ToolImage, p engine.ToolPlan, opts engine.ToolOptions) (engine.ToolContainer, error) {
	var use engine.ToolContainer
	for _, s := range p.Steps {
		if s.Op != engine.OpKeep && s.Op != engine.OpRemove {
			opts.Progress(engine.Event{Ref: engine.Ref{Kind: engine.KindTool, Name: t.Name}, Status: fmt.Sprintf("%s %s: %s", s.Op, s.Container.Name, s.Reason)})
		}
		var err error
		switch s.Op {
		case engine.OpRemove:
			continue // left to Lease.Tidy, while the program runs
		case engine.OpReplace:
			if err = tb.RemoveTool(ctx, s.Old.Name); err == nil {
				s.Container, err = tb.CreateTool(ctx, env, t, img, s.Container, opts)
			}
		case engine.OpCreate:
			s.Container, err = tb.CreateTool(ctx, env, t, img, s.Container, opts)
		case engine.OpSwapDir:
			m, ok := tb.(engine.ToolMounter)
			if !ok {
				return use, fmt.Errorf("%s cannot mount directories of a running container", tb.Name())
			}
			err = m.MountTool(ctx, s.Container, s.Mount, s.Unmount)
		case engine.OpStart:
			err = tb.StartTool(ctx, s.Container)
		}
		if err != nil {
			return use, err
		}
		if s.Container.Name == p.Use {
			use = s.Container
		}
	}
	return use, nil
}

// probed holds, exclusively, the locks of the mounted directories no run
// uses; it records the others in the containers' InUse.
type probed map[string]*DirLock

func probeKey(name, dir string) string { return name + "\x00" + dir }

func probeDirs(lockDir string, owner func(string) string, cs []engine.ToolContainer) probed {
	locks := probed{}
	for i, c := range cs {
		for _, d := range c.Dirs {
			l, ok, err := TryDir(lockDir, owner(c.Name), d)
			if err != nil || !ok {
				cs[i].InUse = append(cs[i].InUse, d) // unknown counts as in use: never taken away
				continue
			}
			locks[probeKey(c.Name, d)] = l
		}
	}
	return locks
}

// take hands one lock over to the caller.
func (p probed) take(name, dir string) *DirLock {
	l := p[probeKey(name, dir)]
	delete(p, probeKey(name, dir))
	return l
}

func (p probed) releaseAll() {
	for _, l := range p {
		l.Release()
	}
}

// SlotOf is the slot a container name has among those of base: 1 for
// base itself, N for base-N, 0 for neither.
func SlotOf(name, base string) int {
	if name == base {
		return 1
	}
	if s, ok := strings.CutPrefix(name, base+"-"); ok {
		if n, err := strconv.Atoi(s); err == nil && n > 1 {
			return n
		}
	}
	return 0
}

// RemoveAll removes the project's tool containers (all, or those of the
// named tools) and returns the names removed.
func RemoveAll(ctx context.Context, to engine.ToolObserver, project string, names []string) ([]string, error) {
	cs, err := to.ObserveTools(ctx, project, "", -1)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var gone []string
	for _, c := range cs {
		if len(want) > 0 && !want[c.Tool] {
			continue
		}
		if err := to.RemoveTool(ctx, c.Name); err != nil {
			return gone, err
		}
		gone = append(gone, c.Name)
	}
	return gone, nil
}

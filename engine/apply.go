package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/devbox-dev/devbox/envfile"
)

// Apply carries out a plan. It decides nothing: teardown actions (remove,
// stop, and the removal half of replace) run first, services before hosts
// before networks, a service after the services that depend on it (unless
// the backend is a Killer); then bring-up actions (create, start, the creation half
// of replace) run as a DAG over Needs and After, independent ones in
// parallel. On error or cancellation no new action starts; running ones
// finish (they see ctx) and the joined errors are returned. An
// interrupted apply is repaired by the next plan: lxc writes its config-hash
// labels last; docker must label a container when it creates it, so its
// Observe reports what the labels claim but the container lacks (a network
// not attached) as Drift.
func Apply(ctx context.Context, b Backend, env *envfile.Environment, p Plan, progress Progress) error {
	if progress == nil {
		progress = Discard
	}
	if env == nil {
		// A teardown of what was observed needs only the project.
		env = &envfile.Environment{Project: p.Project}
	}
	if err := teardown(ctx, b, env, p, progress); err != nil {
		return err
	}
	return bringUp(ctx, b, env, p, progress)
}

func teardown(ctx context.Context, b Backend, env *envfile.Environment, p Plan, progress Progress) error {
	// Group by kind rank, highest first; within a group, an action waits
	// for those of its dependants (depends_on read backwards), the rest run
	// in parallel.
	groups := map[int][]Action{}
	for _, a := range p.Actions {
		switch a.Op {
		case OpRemove, OpStop, OpReplace:
			groups[a.Resource.Kind.rank()] = append(groups[a.Resource.Kind.rank()], a)
		}
	}
	ranks := make([]int, 0, len(groups))
	for r := range groups {
		ranks = append(ranks, r)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ranks)))
	dependants := dependantsOf(env)
	for _, r := range ranks {
		if err := teardownGroup(ctx, b, env, p, groups[r], dependants, progress); err != nil {
			return err
		}
	}
	return nil
}

// dependantsOf maps each service to the services that depend on it.
func dependantsOf(env *envfile.Environment) map[Ref][]Ref {
	out := map[Ref][]Ref{}
	if env == nil {
		return out
	}
	for _, s := range env.Services {
		for _, d := range s.DependsOn {
			for _, m := range env.Members(d) {
				dep := Ref{Kind: KindService, Name: m}
				out[dep] = append(out[dep], Ref{Kind: KindService, Name: s.Name})
			}
		}
	}
	return out
}

func teardownGroup(ctx context.Context, b Backend, env *envfile.Environment, p Plan, group []Action, dependants map[Ref][]Ref, progress Progress) error {
	done := map[Ref]chan struct{}{}
	for _, a := range group {
		done[a.Resource.Ref()] = make(chan struct{})
	}
	var wg sync.WaitGroup
	errs := make([]error, len(group))
	for i, a := range group {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[a.Resource.Ref()])
			for _, d := range dependants[a.Resource.Ref()] {
				if ch, ok := done[d]; ok && waitsForDependants(b, a) {
					select {
					case <-ch:
					case <-ctx.Done():
					}
				}
			}
			if err := ctx.Err(); err != nil {
				errs[i] = err
				return
			}
			if removedWithHost(b, p, a) {
				progress(Event{Ref: a.Resource.Ref(), Status: "removed with the host", Done: true})
				return
			}
			errs[i] = run(ctx, a, progress, func() error {
				switch a.Op {
				case OpStop:
					return b.Stop(ctx, env, a.Resource, progress)
				case OpReplace:
					return b.Remove(ctx, env, *a.Old, progress)
				default:
					return b.Remove(ctx, env, a.Resource, progress)
				}
			}, a.Op != OpReplace)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func bringUp(ctx context.Context, b Backend, env *envfile.Environment, p Plan, progress Progress) error {
	var todo []Action
	done := map[Ref]chan struct{}{}
	for _, a := range p.Actions {
		switch a.Op {
		case OpCreate, OpReplace, OpStart:
			todo = append(todo, a)
			done[a.Resource.Ref()] = make(chan struct{})
		}
	}
	// failed stops new actions from starting; running ones keep ctx and
	// finish, so a half-provisioned service is not cut off mid-step.
	failed := make(chan struct{})
	var failOnce sync.Once
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	await := func(deps []Ref) bool {
		for _, dep := range deps {
			ch, ok := done[dep]
			if !ok {
				continue // kept or not part of this plan: already up
			}
			select {
			case <-ch:
			case <-failed:
				return false
			case <-ctx.Done():
				return false
			}
		}
		select {
		case <-failed:
			return false
		default:
		}
		return ctx.Err() == nil
	}
	prep, _ := b.(Preparer)
	for _, a := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[a.Resource.Ref()])
			early := prep != nil && a.Op != OpStart && len(a.Resource.After) > 0
			if !await(a.Resource.Needs) || (!early && !await(a.Resource.After)) {
				return
			}
			err := run(ctx, a, progress, func() error {
				switch {
				case a.Op == OpStart:
					return b.Start(ctx, env, a.Resource, progress)
				case early:
					return prepareThenCreate(ctx, prep, env, a.Resource, progress, await)
				}
				return b.Create(ctx, env, a.Resource, progress)
			}, true)
			if errors.Is(err, errAfterFailed) {
				return // the failure is the other action's
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				failOnce.Do(func() { close(failed) }) // dependents must not start
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return ctx.Err()
}

// errAfterFailed ends a prepared create whose After did not come up.
var errAfterFailed = errors.New("not started: a service it comes after did not come up")

// prepareThenCreate does the part of r's create that needs none of its
// After while those start, and the rest once they are up.
func prepareThenCreate(ctx context.Context, prep Preparer, env *envfile.Environment, r Resource, p Progress, await func([]Ref) bool) error {
	done, err := prep.Prepare(ctx, env, r, p)
	if err != nil {
		return err
	}
	if !await(r.After) {
		done.Abandon(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		return errAfterFailed
	}
	return done.Finish(ctx)
}

// run executes one action half, reporting progress; final marks the event
// that ends the action.
func run(ctx context.Context, a Action, progress Progress, f func() error, final bool) error {
	ref := a.Resource.Ref()
	progress(Event{Ref: ref, Status: string(a.Op)})
	err := f()
	if err != nil {
		err = fmt.Errorf("%s %s: %w", a.Op, ref, err)
		progress(Event{Ref: ref, Status: "failed", Done: true, Error: err.Error()})
		return err
	}
	if final {
		progress(Event{Ref: ref, Status: "done", Done: true})
	}
	return nil
}

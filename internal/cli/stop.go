package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

type stopCmd struct{ app *App }

func (c *stopCmd) command() *cobra.Command {
	return &cobra.Command{
		Use:   "stop [SERVICE…]",
		Short: "Stop services, keeping them (all when none is named)",
		Long: "stop stops the named services only, as docker compose does: the services that " +
			"depend on them keep running. Nothing is removed; `devbox start` starts them again. " +
			"`devbox down` also stops the lxc instance.",
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: c.app.completeServices,
	}
}

// Run stops the named services that run.
func (c *stopCmd) Run(ctx context.Context, args []string) error {
	return withServices(ctx, c.app, args, 0, func(ctx context.Context, env *envfile.Environment, b engine.Backend, args []string) error {
		observed, err := b.Observe(ctx, env.Project)
		if err != nil {
			return fmt.Errorf("observe %s: %w", b.Name(), err)
		}
		p := stopPlan(env, b.Name(), observed, args)
		if err := writePlan(c.app, p); err != nil {
			return err
		}
		return engine.Apply(ctx, b, env, p, newPrinter(c.app.Stderr).event)
	})
}

// stopPlan stops the named services (every service of the file when
// names is empty) that run; the rest of the plan says why each other
// named one is left as it is. Apply stops a service after those of its
// dependants that stop too.
func stopPlan(env *envfile.Environment, backend string, observed []engine.Resource, names []string) engine.Plan {
	obs := map[string]engine.Resource{}
	for _, o := range observed {
		if o.Kind == engine.KindService {
			obs[o.Name] = o
		}
	}
	p := engine.Plan{Project: env.Project, Backend: backend}
	for _, name := range namedOrAll(env, names) {
		o, ok := obs[name]
		switch {
		case !ok:
			p.Actions = append(p.Actions, engine.Action{Op: engine.OpKeep,
				Resource: engine.Resource{Kind: engine.KindService, Name: name}, Reason: "never created"})
		case engine.Running(o.State):
			p.Actions = append(p.Actions, engine.Action{Op: engine.OpStop, Resource: o, Reason: "stop"})
		default:
			p.Actions = append(p.Actions, engine.Action{Op: engine.OpKeep, Resource: o, Reason: "already " + o.State})
		}
	}
	return p
}

// namedOrAll is names, or every service of the file when it is empty.
func namedOrAll(env *envfile.Environment, names []string) []string {
	if len(names) > 0 {
		return names
	}
	all := make([]string, len(env.Services))
	for i, s := range env.Services {
		all[i] = s.Name
	}
	return all
}

// withServices is what stop, start and restart share: load the file as
// for a verb that creates nothing, check the names (exit 2), open the
// backend and run f under the project lock, so none of them interleaves
// with an up or destroy. A healthTimeout > 0 bounds the health waits of
// the starts f makes (start --timeout).
func withServices(ctx context.Context, app *App, names []string, healthTimeout time.Duration,
	f func(ctx context.Context, env *envfile.Environment, b engine.Backend, names []string) error) error {
	if healthTimeout < 0 {
		return badInput(fmt.Errorf("--timeout %s: want a positive duration, such as 30s", healthTimeout))
	}
	env, b, err := app.connectExisting(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	names, err = serviceNames(env, names)
	if err != nil {
		return err
	}
	unlock, err := engine.Lock(ctx, engine.LockDir(app.Getenv), b.Name(), env.Project, func() {
		fmt.Fprintf(app.Stderr, "waiting for another devbox working on project %q…\n", env.Project)
	})
	if err != nil {
		return err
	}
	defer unlock()
	return f(engine.WithHealthTimeout(ctx, healthTimeout), env, b, names)
}

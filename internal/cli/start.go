package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

type startCmd struct {
	app     *App
	timeout time.Duration
}

func (c *startCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "start [SERVICE…]",
		Short: "Start stopped services (all that exist when none is named)",
		Long: "start starts existing services that are stopped, and the stopped ones they depend on, " +
			"in dependency order, waiting for health checks as up does. It creates nothing and does " +
			"not apply changes to devbox.hcl (`devbox up` does): a service never created is an error.",
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: c.app.completeServices,
	}
	cmd.Flags().DurationVar(&c.timeout, "timeout", 0, timeoutUsage)
	return cmd
}

const timeoutUsage = "fail when a service's health check has not passed within `DURATION` of its start (e.g. 30s; default: the check's own retries)"

// Run starts what is stopped.
func (c *startCmd) Run(ctx context.Context, args []string) error {
	return withServices(ctx, c.app, args, c.timeout, func(ctx context.Context, env *envfile.Environment, b engine.Backend, args []string) error {
		return startServices(ctx, c.app, env, b, args)
	})
}

// startServices plans the start of names (all existing services when
// empty), prints the plan and applies it. The caller holds the project
// lock.
func startServices(ctx context.Context, app *App, env *envfile.Environment, b engine.Backend, names []string) error {
	desired, observed, err := desiredObserved(ctx, env, b)
	if err != nil {
		return err
	}
	p, err := startPlan(env.Project, b.Name(), desired, observed, names)
	if err != nil {
		return err
	}
	if err := writePlan(app, p); err != nil {
		return err
	}
	return applyStart(ctx, app, env, b, p)
}

// applyStart applies a start plan and checks the started services stay
// up, as up does (a program that exits at once is not reported started).
func applyStart(ctx context.Context, app *App, env *envfile.Environment, b engine.Backend, p engine.Plan) error {
	if p.Changes() == 0 {
		return nil
	}
	if err := engine.Apply(ctx, b, env, p, newPrinter(app.Stderr).event); err != nil {
		return err
	}
	_, err := checkUp(ctx, app, b, actedOn(env, p), "start")
	return err
}

// desiredObserved is what start and restart plan from.
func desiredObserved(ctx context.Context, env *envfile.Environment, b engine.Backend) (desired, observed []engine.Resource, err error) {
	if desired, err = b.Desired(env); err != nil {
		return nil, nil, badInput(err)
	}
	if observed, err = b.Observe(ctx, env.Project); err != nil {
		return nil, nil, fmt.Errorf("observe %s: %w", b.Name(), err)
	}
	return desired, observed, nil
}

// startPlan starts the named services (every existing one of the file
// when names is empty) and what they need or start after (the lxc
// instance, depends_on), where stopped. Its actions carry the desired
// resources, whose Needs and After order Apply's starts, with the observed
// IDs. A service (or what it needs) that does not exist is an error: start
// creates nothing.
func startPlan(project, backend string, desired, observed []engine.Resource, names []string) (engine.Plan, error) {
	obs := map[engine.Ref]engine.Resource{}
	for _, o := range observed {
		obs[o.Ref()] = o
	}
	var roots []engine.Ref
	for _, n := range names {
		roots = append(roots, engine.Ref{Kind: engine.KindService, Name: n})
	}
	if len(names) == 0 {
		for _, d := range desired {
			if _, ok := obs[d.Ref()]; ok && d.Kind == engine.KindService {
				roots = append(roots, d.Ref())
			}
		}
		if len(roots) == 0 {
			return engine.Plan{}, fmt.Errorf("no service of project %q exists on %s: run `devbox up`", project, backend)
		}
	}
	need := engine.Closure(desired, roots)
	p := engine.Plan{Project: project, Backend: backend}
	var missing []string
	for _, d := range desired {
		if !need[d.Ref()] {
			continue
		}
		o, ok := obs[d.Ref()]
		if !ok {
			missing = append(missing, d.Ref().String())
			continue
		}
		if !d.Runs() {
			continue // networks and volumes only exist
		}
		a := engine.Action{Op: engine.OpStart, Resource: d, Reason: "is " + o.State}
		a.Resource.ID, a.Resource.State = o.ID, o.State
		switch o.State {
		case engine.StateRunning:
			a.Op, a.Reason = engine.OpKeep, "already running"
		case engine.StateUnhealthy:
			a.Op, a.Reason = engine.OpKeep, "running but unhealthy (devbox up replaces it)"
		case engine.StateStarting:
			a.Reason = "health check has not passed yet"
		}
		p.Actions = append(p.Actions, a)
	}
	if len(missing) > 0 {
		return engine.Plan{}, fmt.Errorf("%s never created (start creates nothing): run `devbox up %s` first",
			strings.Join(missing, ", "), strings.Join(names, " "))
	}
	return p, nil
}

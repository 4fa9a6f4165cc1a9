package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

type restartCmd struct {
	app     *App
	timeout time.Duration
}

func (c *restartCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "restart [SERVICE…]",
		Short: "Stop and start services without recreating them (all when none is named)",
		Long: "restart stops the named services and starts them again, as docker compose restart " +
			"does: containers and units are kept, so changes to devbox.hcl are NOT applied " +
			"(run `devbox up` for that). Stopped services they depend on are started too; services " +
			"that depend on the restarted ones are left running.",
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: c.app.completeServices,
	}
	cmd.Flags().DurationVar(&c.timeout, "timeout", 0, timeoutUsage)
	return cmd
}

// Run stops, then starts, under one hold of the project lock. Both plans
// are made before anything stops, so a service never created fails the
// restart without leaving the others stopped, and printed as one.
func (c *restartCmd) Run(ctx context.Context, args []string) error {
	return withServices(ctx, c.app, args, c.timeout, func(ctx context.Context, env *envfile.Environment, b engine.Backend, args []string) error {
		desired, observed, err := desiredObserved(ctx, env, b)
		if err != nil {
			return err
		}
		stop := stopPlan(env, b.Name(), observed, args)
		start, err := startPlan(env.Project, b.Name(), desired, stoppedBy(observed, stop), args)
		if err != nil {
			return err
		}
		both := engine.Plan{Project: env.Project, Backend: b.Name()}
		for _, a := range stop.Actions {
			if a.Op == engine.OpStop {
				both.Actions = append(both.Actions, a)
			}
		}
		both.Actions = append(both.Actions, start.Actions...)
		if err := writePlan(c.app, both); err != nil {
			return err
		}
		if err := engine.Apply(ctx, b, env, stop, newPrinter(c.app.Stderr).event); err != nil {
			return err
		}
		return applyStart(ctx, c.app, env, b, start)
	})
}

// stoppedBy is observed as it will be once the stop plan has run.
func stoppedBy(observed []engine.Resource, stop engine.Plan) []engine.Resource {
	stopped := map[engine.Ref]bool{}
	for _, a := range stop.Actions {
		if a.Op == engine.OpStop {
			stopped[a.Resource.Ref()] = true
		}
	}
	out := append([]engine.Resource(nil), observed...)
	for i, o := range out {
		if stopped[o.Ref()] {
			out[i].State = engine.StateStopped
		}
	}
	return out
}

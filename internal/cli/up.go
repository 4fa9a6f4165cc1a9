package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

type upCmd struct {
	app    *App
	dryRun bool
}

func (c *upCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create or update the environment so it matches devbox.hcl",
		Long: "up observes what exists, plans, and applies only the changes: a second up with " +
			"nothing changed does nothing; a changed service is replaced and the rest kept.",
		Args: cobra.NoArgs,
	}
	cmd.Flags().BoolVar(&c.dryRun, "dry-run", false, "print the plan and stop (same as `devbox plan`)")
	return cmd
}

// Run plans and applies.
func (c *upCmd) Run(ctx context.Context, args []string) error {
	env, b, err := c.app.connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	if c.dryRun {
		p, err := upPlan(ctx, b, env)
		if err != nil {
			return err
		}
		return writePlan(c.app, p)
	}
	p, err := applyUp(ctx, c.app, b, env, newPrinter(c.app.Stderr).event, func(p engine.Plan) error {
		if err := writePlan(c.app, p); err != nil {
			return err
		}
		if p.Changes() == 0 && !c.app.json {
			fmt.Fprintln(c.app.Stdout, "nothing to do: the environment matches devbox.hcl")
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: %w; run `devbox up` again to finish", err)
		}
		return err
	}
	if !c.app.json && p.Changes() > 0 {
		fmt.Fprintf(c.app.Stdout, "%s is up on %s\n", env.Project, b.Name())
		return summary(ctx, c.app, b, env)
	}
	return nil
}

// applyUp is up without output of its own: lock, observe, plan, show (each
// show func sees the plan before anything is done), preflight, apply.
func applyUp(ctx context.Context, app *App, b engine.Backend, env *envfile.Environment, progress engine.Progress, show ...func(engine.Plan) error) (engine.Plan, error) {
	unlock, err := engine.Lock(ctx, engine.LockDir(app.Getenv), b.Name(), env.Project, func() {
		fmt.Fprintf(app.Stderr, "waiting for another devbox working on project %q…\n", env.Project)
	})
	if err != nil {
		return engine.Plan{}, err
	}
	defer unlock()
	p, err := upPlan(ctx, b, env)
	if err != nil {
		return p, err
	}
	for _, f := range show {
		if err := f(p); err != nil {
			return p, err
		}
	}
	if p.Changes() == 0 {
		return p, nil
	}
	if pf, ok := b.(engine.Preflighter); ok {
		if err := pf.Preflight(ctx, env); err != nil {
			return p, badInput(err)
		}
	}
	return p, engine.Apply(ctx, b, env, p, progress)
}

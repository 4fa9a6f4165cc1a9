package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
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
	env, err := c.app.load()
	if err != nil {
		return err
	}
	b, err := c.app.open(ctx, env)
	if err != nil {
		return err
	}
	defer b.Close()
	unlock, err := engine.Lock(ctx, engine.LockDir(c.app.Getenv), b.Name(), env.Project, func() {
		fmt.Fprintf(c.app.Stderr, "waiting for another devbox working on project %q…\n", env.Project)
	})
	if err != nil {
		return err
	}
	defer unlock()

	p, err := upPlan(ctx, b, env)
	if err != nil {
		return err
	}
	if c.app.json {
		if err := p.WriteJSON(c.app.Stdout); err != nil {
			return err
		}
	} else if err := p.Write(c.app.Stdout); err != nil {
		return err
	}
	if c.dryRun || p.Changes() == 0 {
		if !c.app.json && p.Changes() == 0 {
			fmt.Fprintln(c.app.Stdout, "nothing to do: the environment matches devbox.hcl")
		}
		return nil
	}
	if pf, ok := b.(engine.Preflighter); ok {
		if err := pf.Preflight(ctx, env); err != nil {
			return badInput(err)
		}
	}
	pr := newPrinter(c.app.Stderr)
	if err := engine.Apply(ctx, b, env, p, pr.event); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: %w; run `devbox up` again to finish", err)
		}
		return err
	}
	if !c.app.json {
		fmt.Fprintf(c.app.Stdout, "%s is up on %s\n", env.Project, b.Name())
		return summary(ctx, c.app, b, env)
	}
	return nil
}

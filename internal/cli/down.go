package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
)

type downCmd struct{ app *App }

func (c *downCmd) command() *cobra.Command {
	return &cobra.Command{Use: "down", Short: "Stop the environment, keeping everything", Args: cobra.NoArgs}
}

// Run stops every running service (and the lxc instance).
func (c *downCmd) Run(ctx context.Context, args []string) error {
	return teardown(ctx, c.app, false, false, func(project, backend string, observed []engine.Resource) engine.Plan {
		return engine.Down(project, backend, observed)
	})
}

type destroyCmd struct {
	app     *App
	volumes bool
	dryRun  bool
}

func (c *destroyCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "destroy",
		Short: "Remove the environment; named volumes are kept unless --volumes",
		Long:  "destroy removes containers, instances and networks. Bind-mounted host directories are never touched.",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().BoolVar(&c.volumes, "volumes", false, "also remove named volumes (their data is lost)")
	cmd.Flags().BoolVar(&c.dryRun, "dry-run", false, "print the plan and stop")
	return cmd
}

// Run removes the project's objects, its warm tool containers included
// (they are in the plan: tool/NAME-UID).
func (c *destroyCmd) Run(ctx context.Context, args []string) error {
	return teardown(ctx, c.app, true, c.dryRun, func(project, backend string, observed []engine.Resource) engine.Plan {
		return engine.Destroy(project, backend, observed, c.volumes)
	})
}

// teardown is down and destroy: observe (with the tool containers when
// withTools), plan, print, apply, under the lock; dryRun stops after the
// print.
func teardown(ctx context.Context, app *App, withTools, dryRun bool, plan func(project, backend string, observed []engine.Resource) engine.Plan) error {
	env, b, err := app.connectExisting(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	rec, _ := b.(engine.ScaleRecorder) // before WithTools hides it
	if withTools {
		b = engine.WithTools(b)
	}
	unlock, err := engine.Lock(ctx, engine.LockDir(app.Getenv), b.Name(), env.Project, nil)
	if err != nil {
		return err
	}
	defer unlock()
	observed, err := b.Observe(ctx, env.Project)
	if err != nil {
		return fmt.Errorf("observe %s: %w", b.Name(), err)
	}
	p := plan(env.Project, b.Name(), observed)
	if err := writePlan(app, p); err != nil || dryRun {
		return err
	}
	if err := engine.Apply(ctx, b, env, p, newPrinter(app.Stderr).event); err != nil {
		return err
	}
	// destroy forgets devbox scale's counts with the replicas; down keeps
	// them for the next up.
	if rec != nil && withTools {
		return rec.RecordScales(ctx, env, nil)
	}
	return nil
}

func writePlan(app *App, p engine.Plan) error {
	if app.json {
		return p.WriteJSON(app.Stdout)
	}
	return p.Write(app.Stdout)
}

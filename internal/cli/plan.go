package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

type planCmd struct{ app *App }

func (c *planCmd) command() *cobra.Command {
	return &cobra.Command{
		Use:   "plan",
		Short: "Show what `up` would do, from the engine's observed state",
		Args:  cobra.NoArgs,
	}
}

// Run prints the up plan without applying it.
func (c *planCmd) Run(ctx context.Context, args []string) error {
	env, b, err := c.app.connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	p, err := upPlan(ctx, b, env)
	if err != nil {
		return err
	}
	return showPlan(c.app, env, b, p)
}

// showPlan prints the plan after what the file reaches on the host, which
// goes to stderr with --json so stdout stays one JSON document.
func showPlan(app *App, env *envfile.Environment, b engine.Backend, p engine.Plan) error {
	w := app.Stdout
	if app.json {
		w = app.Stderr
	}
	if err := writeHostAccess(w, env); err != nil {
		return err
	}
	if pr, ok := b.(engine.Privileger); ok {
		for _, line := range pr.Privileges(env) {
			if _, err := fmt.Fprintf(w, "extra privilege: %s\n", line); err != nil {
				return err
			}
		}
	}
	return writePlan(app, p)
}

// upPlan observes the engine and computes the plan for up. Tool
// containers are listed as kept: up leaves them to devbox run.
func upPlan(ctx context.Context, b engine.Backend, env *envfile.Environment) (engine.Plan, error) {
	desired, err := b.Desired(env)
	if err != nil {
		return engine.Plan{}, badInput(err)
	}
	observed, err := b.Observe(ctx, env.Project)
	if err != nil {
		return engine.Plan{}, fmt.Errorf("observe %s: %w", b.Name(), err)
	}
	p := engine.Up(env.Project, b.Name(), desired, observed, env.DisabledServices...)
	if to, ok := b.(engine.ToolObserver); ok {
		cs, err := to.ObserveTools(ctx, env.Project, "", -1)
		if err != nil {
			return engine.Plan{}, fmt.Errorf("observe %s: %w", b.Name(), err)
		}
		inFile := func(tool string) bool { return env.Tool(tool) != nil }
		p.Actions = append(p.Actions, engine.UpTools(inFile, cs)...)
	}
	return p, nil
}

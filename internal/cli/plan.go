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
		Use:   "plan [SERVICE…]",
		Short: "Show what `up` would do, from the engine's observed state",
		Long: "plan prints what `up` with the same arguments would do; with services, only " +
			"those and what they depend on, as `up SERVICE…` does.",
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: c.app.completeServices,
	}
}

// Run prints the up plan without applying it.
func (c *planCmd) Run(ctx context.Context, args []string) error {
	// A service named on the command line is enabled whatever its profiles.
	c.app.enable = args
	env, b, err := c.app.connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	if args, err = serviceNames(env, args); err != nil {
		return err
	}
	p, err := servicesPlan(ctx, b, env, args)
	if err != nil {
		return err
	}
	return showPlan(c.app, env, b, p)
}

// servicesPlan is upPlan narrowed to services and what they depend on
// (engine.Subset); with none, the whole up plan.
func servicesPlan(ctx context.Context, b engine.Backend, env *envfile.Environment, services []string) (engine.Plan, error) {
	p, err := upPlan(ctx, b, env)
	if err != nil {
		return p, err
	}
	sub, err := engine.Subset(p, services)
	if err != nil {
		return p, badInput(err)
	}
	return sub, nil
}

// planServices is env with only the services p acts on, when p is a
// subset (up SERVICE…): what up checks and summarises afterwards.
func planServices(env *envfile.Environment, p engine.Plan, services []string) *envfile.Environment {
	if len(services) == 0 {
		return env
	}
	return actedOn(env, p)
}

// actedOn is env with only the services p has an action for.
func actedOn(env *envfile.Environment, p engine.Plan) *envfile.Environment {
	in := map[string]bool{}
	for _, a := range p.Actions {
		if a.Resource.Kind == engine.KindService {
			in[a.Resource.Name] = true
		}
	}
	sub := *env
	sub.Services = nil
	for _, s := range env.Services {
		if in[s.Name] {
			sub.Services = append(sub.Services, s)
		}
	}
	return &sub
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
	if err := writeScaleNotes(w, app.scales); err != nil {
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

// preflightEnv is what up SERVICE… checks before applying: the services
// it brings up (a port the others would take is theirs to fail on), but
// the whole file when it makes a host (lxc's instance), which is made
// with every service's ports and packages.
func preflightEnv(env *envfile.Environment, p engine.Plan, services []string) *envfile.Environment {
	for _, a := range p.Actions {
		if a.Resource.Kind == engine.KindHost && (a.Op == engine.OpCreate || a.Op == engine.OpReplace) {
			return env
		}
	}
	return planServices(env, p, services)
}

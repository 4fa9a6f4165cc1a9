package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

type upCmd struct {
	app     *App
	dryRun  bool
	timeout time.Duration
}

func (c *upCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "up [SERVICE…]",
		Short: "Create or update the environment so it matches devbox.hcl",
		Long: "up observes what exists, plans, and applies only the changes: a second up with " +
			"nothing changed does nothing; a changed service is replaced and the rest kept.\n\n" +
			"With services, up brings up those and what they depend on (depends_on, transitively, " +
			"with their networks and volumes) and leaves every other service as it is: not created, " +
			"not replaced even if changed, not removed.",
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: c.app.completeServices,
	}
	cmd.Flags().BoolVar(&c.dryRun, "dry-run", false, "print the plan and stop (same as `devbox plan`)")
	cmd.Flags().DurationVar(&c.timeout, "timeout", 0, timeoutUsage)
	return cmd
}

// Run plans and applies.
func (c *upCmd) Run(ctx context.Context, args []string) error {
	if c.timeout < 0 {
		return badInput(fmt.Errorf("--timeout %s: want a positive duration, such as 30s", c.timeout))
	}
	// A service named on the command line is enabled whatever its profiles.
	c.app.enable = args
	env, b, err := c.app.connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	// A replicated service named stands for its replicas.
	if args, err = serviceNames(env, args); err != nil {
		return err
	}
	if c.dryRun {
		p, err := servicesPlan(ctx, b, env, args)
		if err != nil {
			return err
		}
		return showPlan(c.app, env, b, p)
	}
	// The bound reaches the backends' health waits, not the builds and
	// provisioning before them (engine.WithHealthTimeout).
	ctx = engine.WithHealthTimeout(ctx, c.timeout)
	show := func(p engine.Plan) error {
		if err := showPlan(c.app, env, b, p); err != nil {
			return err
		}
		if p.Changes() == 0 && !c.app.json {
			what := "the environment matches"
			if len(args) > 0 {
				what = strings.Join(args, ", ") + " and what they depend on match"
			}
			fmt.Fprintf(c.app.Stdout, "nothing to do: %s devbox.hcl\n", what)
		}
		return nil
	}
	// The check and the summary run under the lock too: a destroy that
	// starts right after the apply must not turn a good up into exit 1.
	done := func(p engine.Plan) error {
		// The file applied: scale records it overrode are dropped.
		if err := c.app.dropStaleScales(ctx, b, env); err != nil {
			return err
		}
		if p.Changes() == 0 {
			return nil
		}
		// up SERVICE…: the services left alone are not judged.
		upEnv := planServices(env, p, args)
		rows, err := checkUp(ctx, c.app, b, upEnv, "up")
		if err != nil {
			return err
		}
		if c.app.json {
			return nil
		}
		fmt.Fprintf(c.app.Stdout, "%s is up on %s\n", env.Project, b.Name())
		return summary(c.app, upEnv, rows)
	}
	_, err = applyUp(ctx, c.app, b, env, newPrinter(c.app.Stderr).event, upHooks{show: show, done: done, services: args})
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w; run `devbox up` again to finish", err)
	}
	return err
}

// settledStatus is the services' status once every just-started one has
// settled (engine.Settle): run engine.SettleMax, or listening or gone idle
// where the backend reads that (engine.SettleProbe), polled every
// settlePoll.
func settledStatus(ctx context.Context, b engine.Backend, st engine.Statuser, env *envfile.Environment) ([]engine.ServiceStatus, error) {
	rows, err := st.Status(ctx, env)
	if err != nil {
		return nil, err
	}
	s := engine.NewSettle(time.Now(), rows)
	if s.Pending() == 0 {
		return rows, nil
	}
	probe, _ := b.(engine.SettleProbe)
	for s.Pending() > 0 {
		wait := time.Until(s.Deadline())
		if probe != nil {
			wait = min(wait, settlePoll)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(max(wait, 0)):
		}
		var readings map[string]engine.Reading
		if probe != nil {
			if readings, err = probe.SettleReadings(ctx, env); err != nil {
				probe, readings = nil, nil // the fixed window, then
			}
		}
		s.Observe(time.Now(), readings)
	}
	return st.Status(ctx, env)
}

// settlePoll is how often settledStatus takes readings: often enough to
// see SettleIdle pass, cheap (one container list, a few cgroup and proc
// files; on lxc one exec).
const settlePoll = 50 * time.Millisecond

// checkUp fails, naming each service and its last log lines, when a
// service is not running (or is unhealthy) once up is done: a command that
// exits at once must not be reported as up. verb (up, start) opens the
// message. It returns the rows it judged, for the summary.
func checkUp(ctx context.Context, app *App, b engine.Backend, env *envfile.Environment, verb string) ([]engine.ServiceStatus, error) {
	st, ok := b.(engine.Statuser)
	if !ok {
		return nil, nil
	}
	rows, err := settledStatus(ctx, b, st, env)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, r := range rows {
		if (r.State == engine.StateRunning || r.State == engine.StateStarting) && r.Health != engine.StateUnhealthy {
			continue
		}
		msg := fmt.Sprintf("service %q is %s", r.Name, r.State)
		if r.Health == engine.HealthUnhealthy {
			msg = fmt.Sprintf("service %q is unhealthy", r.Name)
		}
		if lg, ok := b.(engine.Logger); ok {
			var out bytes.Buffer
			if lg.Logs(ctx, env, r.Name, false, 10, &out) == nil && out.Len() > 0 {
				msg += "; its last log lines:\n" + strings.TrimRight(out.String(), "\n")
			}
		}
		bad = append(bad, msg)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s finished, but %s\n(devbox logs SERVICE for more; devbox up again after fixing it)", verb, strings.Join(bad, "\n"))
	}
	return rows, nil
}

// summary prints the rows checkUp judged (state, addresses; no CPU or
// memory) and each forwarded URL.
func summary(app *App, env *envfile.Environment, rows []engine.ServiceStatus) error {
	if err := writeStatusTable(app.Stdout, rows); err != nil {
		return err
	}
	for _, s := range env.Services {
		for _, p := range s.Ports {
			if p.Host == 0 || p.Protocol != "tcp" {
				continue
			}
			fmt.Fprintf(app.Stdout, "%s %s: http://%s:%d (-> %d)\n", s.Name, p.Name, p.HostIP, p.Host, p.Port)
		}
	}
	return nil
}

// upHooks are what a caller of applyUp does under the project lock: show
// sees the plan before anything is done, done runs after a successful apply.
type upHooks struct {
	show, done func(engine.Plan) error
	// services narrows the plan to these and what they depend on (up
	// SERVICE…); none: the whole file.
	services []string
}

// applyUp is up without output of its own: lock, observe, plan, show,
// preflight, apply, done.
func applyUp(ctx context.Context, app *App, b engine.Backend, env *envfile.Environment, progress engine.Progress, h upHooks) (engine.Plan, error) {
	unlock, err := engine.Lock(ctx, engine.LockDir(app.Getenv), b.Name(), env.Project, func() {
		fmt.Fprintf(app.Stderr, "waiting for another devbox working on project %q…\n", env.Project)
	})
	if err != nil {
		return engine.Plan{}, err
	}
	defer unlock()
	p, err := servicesPlan(ctx, b, env, h.services)
	if err != nil {
		return p, err
	}
	if h.show != nil {
		if err := h.show(p); err != nil {
			return p, err
		}
	}
	if p.Changes() > 0 {
		if pf, ok := b.(engine.Preflighter); ok {
			if err := pf.Preflight(ctx, preflightEnv(env, p, h.services)); err != nil {
				return p, badInput(err)
			}
		}
		if err := engine.Apply(ctx, b, env, p, progress); err != nil {
			return p, err
		}
	}
	if h.done != nil {
		return p, h.done(p)
	}
	return p, nil
}

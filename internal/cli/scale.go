package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

type scaleCmd struct {
	app     *App
	dryRun  bool
	timeout time.Duration
}

func (c *scaleCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scale SERVICE=N [SERVICE=N…]",
		Short: "Run N replicas of services, touching nothing else",
		Long: "scale adds or removes replicas of the named services only: no other container or " +
			"unit is restarted, and existing replicas are kept as they are. Removed replicas go " +
			"highest index first, each stopped cleanly. The count is remembered on the engine: " +
			"a later up keeps it while devbox.hcl's replicas for the service stay as they were " +
			"(plan says so), and applies the file once they change; destroy forgets it.",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: c.app.completeServices,
	}
	cmd.Flags().BoolVar(&c.dryRun, "dry-run", false, "print the plan and stop")
	cmd.Flags().DurationVar(&c.timeout, "timeout", 0, timeoutUsage)
	return cmd
}

// Run plans the replica changes, applies them and records the counts.
func (c *scaleCmd) Run(ctx context.Context, args []string) error {
	want, err := parseScaleArgs(args)
	if err != nil {
		return badInput(err)
	}
	names := slices.Sorted(maps.Keys(want))
	c.app.enable = names
	env, b, err := c.app.connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	recs := maps.Clone(c.app.scales.keep)
	if recs == nil {
		recs = map[string]engine.Scale{}
	}
	counts := map[string]int{}
	for n, r := range recs {
		counts[n] = r.Count
	}
	for _, n := range names {
		s := env.DeclaredService(n)
		if s == nil {
			return unknownService(env, n)
		}
		counts[n] = want[n]
		recs[n] = engine.Scale{Count: want[n], File: engine.FileReplicas(s)}
	}
	if err := env.ExpandReplicas(counts); err != nil {
		return badInput(err)
	}
	c.app.scales.notes = nil // this scale's counts are the plan
	unlock, err := engine.Lock(ctx, engine.LockDir(c.app.Getenv), b.Name(), env.Project, func() {
		fmt.Fprintf(c.app.Stderr, "waiting for another devbox working on project %q…\n", env.Project)
	})
	if err != nil {
		return err
	}
	defer unlock()
	full, err := upPlan(ctx, b, env)
	if err != nil {
		return err
	}
	p := engine.ScalePlan(full, env, names)
	if err := hostStopped(full, p); err != nil {
		return err
	}
	if err := showPlan(c.app, env, b, p); err != nil || c.dryRun {
		return err
	}
	ctx = engine.WithHealthTimeout(ctx, c.timeout)
	return applyScale(ctx, c.app, env, b, p, recs)
}

// applyScale records the counts, then removes and creates replicas. The
// record goes first where it can, so an interrupted scale is finished by
// the next up; lxc has nowhere to keep it before its instance exists.
func applyScale(ctx context.Context, app *App, env *envfile.Environment, b engine.Backend, p engine.Plan, recs map[string]engine.Scale) error {
	rec, _ := b.(engine.ScaleRecorder)
	recorded := rec == nil || rec.RecordScales(ctx, env, recs) == nil
	progress := newPrinter(app.Stderr).event
	create := engine.Plan{Project: p.Project, Backend: p.Backend}
	for _, a := range p.Actions {
		if a.Op != engine.OpRemove {
			create.Actions = append(create.Actions, a)
			continue
		}
		if err := removeReplica(ctx, env, b, a.Resource, progress); err != nil {
			return err
		}
	}
	if create.Changes() > 0 {
		if err := engine.Apply(ctx, b, env, create, progress); err != nil {
			return err
		}
	}
	if !recorded {
		if err := rec.RecordScales(ctx, env, recs); err != nil {
			return err
		}
	}
	if create.Changes() == 0 {
		return nil
	}
	rows, err := checkUp(ctx, app, b, actedOn(env, create), "scale")
	if err != nil || app.json {
		return err
	}
	return writeStatusTable(app.Stdout, rows)
}

// hostStopped refuses to add replicas to a stopped lxc instance: starting
// it would start every other service too, which scale must not do.
func hostStopped(full, p engine.Plan) error {
	if p.Changes() == 0 {
		return nil
	}
	for _, a := range full.Actions {
		if a.Resource.Kind == engine.KindHost && a.Op == engine.OpStart {
			return fmt.Errorf("scale: %s is stopped (devbox down); bring the environment back first (devbox start or devbox up), then scale", a.Resource.Name)
		}
	}
	return nil
}

// removeReplica stops a replica cleanly (its program's own shutdown, with
// the backend's stop timeout) and then removes it: scale down must not cut
// a worker off in the middle of a job.
func removeReplica(ctx context.Context, env *envfile.Environment, b engine.Backend, r engine.Resource, progress engine.Progress) error {
	if engine.Running(r.State) {
		progress(engine.Event{Ref: r.Ref(), Status: "stopping"})
		if err := b.Stop(ctx, env, r, progress); err != nil {
			return err
		}
	}
	progress(engine.Event{Ref: r.Ref(), Status: "removing"})
	if err := b.Remove(ctx, env, r, progress); err != nil {
		return err
	}
	progress(engine.Event{Ref: r.Ref(), Status: "removed", Done: true})
	return nil
}

// parseScaleArgs reads SERVICE=N arguments.
func parseScaleArgs(args []string) (map[string]int, error) {
	out := map[string]int{}
	for _, a := range args {
		name, num, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("%q: want SERVICE=N, such as worker=3", a)
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 0 || n > envfile.MaxReplicas {
			return nil, fmt.Errorf("%q: want a count from 0 to %d", a, envfile.MaxReplicas)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%q: %s is named twice", a, name)
		}
		out[name] = n
	}
	return out, nil
}

package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"strings"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// scaleState is what open learnt from the backend's scale records
// (engine.ScaleRecorder): the records that still hold, whether some did
// not (the file's replicas changed: up drops them), and a line per record
// for plan and up.
type scaleState struct {
	keep  map[string]engine.Scale
	stale bool
	notes []string
}

// applyScales reads the scale records and expands env's replicated
// services with the counts that still hold.
func (a *App) applyScales(ctx context.Context, b engine.Backend, env *envfile.Environment) error {
	a.scales = scaleState{}
	rec, ok := b.(engine.ScaleRecorder)
	if !ok {
		return nil
	}
	recs, err := rec.Scales(ctx, env)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	counts, keep, notes := engine.ScaledCounts(env, recs)
	a.scales = scaleState{keep: keep, stale: len(keep) < len(recs), notes: notes}
	if err := env.ExpandReplicas(counts); err != nil {
		if a.existing {
			// Looking or tearing down must work: the file's counts, then.
			a.scales.notes = append(a.scales.notes, fmt.Sprintf("ignored: %v", err))
			return nil
		}
		return badInput(fmt.Errorf("%w (run devbox scale again with a count that fits)", err))
	}
	return nil
}

// writeScaleNotes prints the scale records' lines before a plan.
func writeScaleNotes(w io.Writer, s scaleState) error {
	for _, n := range s.notes {
		if _, err := fmt.Fprintf(w, "scale: %s\n", n); err != nil {
			return err
		}
	}
	return nil
}

// dropStaleScales removes the records the file overrode, after an up
// applied the file.
func (a *App) dropStaleScales(ctx context.Context, b engine.Backend, env *envfile.Environment) error {
	rec, ok := b.(engine.ScaleRecorder)
	if !ok || !a.scales.stale {
		return nil
	}
	if err := rec.RecordScales(ctx, env, maps.Clone(a.scales.keep)); err != nil {
		return err
	}
	a.scales.stale = false
	return nil
}

// serviceNames resolves names from the command line: a replicated
// service stands for all its replicas, a replica (worker-2) for itself.
// An unknown name is exit 2, listing the file's services.
func serviceNames(env *envfile.Environment, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		if m := env.Members(n); m != nil {
			out = append(out, m...)
			continue
		}
		if env.Service(n) != nil {
			out = append(out, n)
			continue
		}
		return nil, unknownService(env, n)
	}
	return out, nil
}

// oneService resolves a name that must be one service (exec, cp, port): a
// replicated service means its first replica, as in Compose.
func oneService(env *envfile.Environment, name string) (string, error) {
	if env.Service(name) != nil {
		return name, nil
	}
	if m := env.Members(name); len(m) > 0 {
		return m[0], nil
	} else if m != nil {
		return "", badInput(fmt.Errorf("service %q has no replicas running (devbox scale %s=1)", name, name))
	}
	return "", unknownService(env, name)
}

func unknownService(env *envfile.Environment, n string) error {
	decl := env.DeclaredServices()
	if len(decl) == 0 {
		return badInput(fmt.Errorf("no service %q: %s has no services", n, env.File))
	}
	all := make([]string, len(decl))
	for i, s := range decl {
		all[i] = s.Name
		if c := env.ReplicaCount(s.Name); s.ReplicaOf == "" && (s.Replicas != nil || c != 1) {
			all[i] += fmt.Sprintf(" (%d replicas: %s)", c, strings.Join(env.Members(s.Name), ", "))
		}
	}
	return badInput(fmt.Errorf("no service %q in %s; its services: %s", n, env.File, strings.Join(all, ", ")))
}

package engine

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/devbox-dev/devbox/envfile"
)

// Scale is what `devbox scale` recorded for one service: the count, and
// the file's replicas attribute when it was given ("" when the file had
// none). The record holds while the file still says File: `up` keeps the
// scaled count; once the file's replicas change, the file applies.
type Scale struct {
	Count int    `json:"count"`
	File  string `json:"file"`
}

// ScaleRecorder is implemented by backends that keep `devbox scale`'s
// counts in labels on engine objects (the engine is the state).
type ScaleRecorder interface {
	// Scales reads the project's records; none is an empty map.
	Scales(ctx context.Context, env *envfile.Environment) (map[string]Scale, error)
	// RecordScales replaces them; an empty map removes the record.
	RecordScales(ctx context.Context, env *envfile.Environment, scales map[string]Scale) error
}

// FileReplicas is a declared service's replicas attribute as a Scale
// records it.
func FileReplicas(s *envfile.Service) string {
	if s.Replicas == nil {
		return ""
	}
	return strconv.Itoa(*s.Replicas)
}

// ScaledCounts decides which records hold for env (declared, not yet
// expanded by them): the counts to expand with, the records still valid
// (to keep), and one line per record for plan and up to print.
func ScaledCounts(env *envfile.Environment, recs map[string]Scale) (counts map[string]int, keep map[string]Scale, notes []string) {
	counts, keep = map[string]int{}, map[string]Scale{}
	names := make([]string, 0, len(recs))
	for n := range recs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rec := recs[n]
		s := env.DeclaredService(n)
		if s == nil {
			continue // not in the file (or its profile is off): nothing to scale
		}
		file := FileReplicas(s)
		says := "says nothing"
		if file != "" {
			says = "says " + file
		}
		if rec.File != file {
			notes = append(notes, fmt.Sprintf("%s: devbox.hcl's replicas changed since devbox scale %s=%d: the file applies", n, n, rec.Count))
			continue
		}
		counts[n], keep[n] = rec.Count, rec
		notes = append(notes, fmt.Sprintf("%s: %d replicas, from devbox scale (devbox.hcl %s)", n, rec.Count, says))
	}
	return counts, keep, notes
}

// ScalePlan narrows an up plan to the replica changes of the named
// (declared) services: creating or starting their missing replicas (and
// creating what those need that does not exist yet), and removing their
// replicas beyond the count, highest index first. Nothing else is
// replaced, started or removed: scaling touches no other service, and a
// replica that exists is kept as it is even if the file changed.
func ScalePlan(p Plan, env *envfile.Environment, groups []string) Plan {
	in := map[string]bool{}
	for _, g := range groups {
		in[g] = true
	}
	member := func(name string) bool {
		if s := env.Service(name); s != nil {
			return in[s.Group()]
		}
		return false
	}
	needs := map[Ref]bool{}
	out := Plan{Project: p.Project, Backend: p.Backend}
	var removes []Action
	for _, a := range p.Actions {
		r := a.Resource
		switch {
		case r.Kind == KindService && member(r.Name) && (a.Op == OpCreate || a.Op == OpStart):
			out.Actions = append(out.Actions, a)
			for _, n := range r.Needs {
				needs[n] = true
			}
		case a.Op == OpRemove && r.Kind == KindService && orphanReplica(r.Name, in):
			removes = append(removes, a)
		}
	}
	// What the new replicas need and is missing is created first.
	var first []Action
	for _, a := range p.Actions {
		if a.Op == OpCreate && a.Resource.Kind != KindService && needs[a.Resource.Ref()] {
			first = append(first, a)
		}
	}
	sort.SliceStable(removes, func(i, j int) bool {
		return replicaIndex(removes[i].Resource.Name) > replicaIndex(removes[j].Resource.Name)
	})
	out.Actions = append(append(first, out.Actions...), removes...)
	return out
}

// orphanReplica reports whether an observed service no longer in the file
// is one of groups': the unindexed service itself (before it was scaled)
// or "<group>-<i>".
func orphanReplica(name string, groups map[string]bool) bool {
	group, _, ok := envfile.ParseReplica(name)
	return groups[name] || (ok && groups[group])
}

// replicaIndex is i of "<group>-<i>", 0 for an unindexed name.
func replicaIndex(name string) int {
	_, i, _ := envfile.ParseReplica(name)
	return i
}

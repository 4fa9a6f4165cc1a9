package engine

import (
	"fmt"
	"sort"
	"strings"
)

// Subset narrows an up plan to the named services and what they need or
// start after (Needs and After, transitively): `up SERVICE…`, as Compose
// does it. Every other action is dropped — other services are not
// created, replaced or started, and nothing is removed (orphans included),
// so what the user did not name is left as it is.
//
// One exception keeps the engine consistent: a service outside the subset
// that the plan replaces while something under it that the subset replaces
// (a network, the lxc instance) goes away is kept too, since removing what
// it lives on takes it down anyway (a docker network with containers
// attached cannot even be removed). Such a service is recreated from the
// file as it is now.
//
// Subset is pure; with no names it returns p unchanged. A name that is not
// a service of the plan is an error naming the plan's services.
func Subset(p Plan, services []string) (Plan, error) {
	if len(services) == 0 {
		return p, nil
	}
	known := map[string]bool{}
	var desired []Resource
	op := map[Ref]Op{}
	for _, a := range p.Actions {
		if a.Op == OpRemove {
			continue // observed, not in the file
		}
		desired = append(desired, a.Resource)
		op[a.Resource.Ref()] = a.Op
		if a.Resource.Kind == KindService {
			known[a.Resource.Name] = true
		}
	}
	roots := make([]Ref, 0, len(services))
	for _, s := range services {
		if !known[s] {
			return Plan{}, fmt.Errorf("no service %q in the file; its services: %s", s, strings.Join(sortedKeys(known), ", "))
		}
		roots = append(roots, Ref{Kind: KindService, Name: s})
	}
	keep := Closure(desired, roots)
	for {
		var more []Ref
		for _, r := range desired {
			if !keep[r.Ref()] && op[r.Ref()] == OpReplace && replacedUnder(r, keep, op) {
				more = append(more, r.Ref())
			}
		}
		if len(more) == 0 {
			break
		}
		for ref := range Closure(desired, more) {
			keep[ref] = true
		}
	}
	out := Plan{Project: p.Project, Backend: p.Backend}
	for _, a := range p.Actions {
		if a.Op != OpRemove && keep[a.Resource.Ref()] {
			out.Actions = append(out.Actions, a)
		}
	}
	return out, nil
}

// replacedUnder reports whether one of r's Needs is kept and replaced.
func replacedUnder(r Resource, keep map[Ref]bool, op map[Ref]Op) bool {
	for _, n := range r.Needs {
		if keep[n] && op[n] == OpReplace {
			return true
		}
	}
	return false
}

// Closure is roots and every resource of rs they need or start after,
// transitively. Refs that rs lacks are followed no further.
func Closure(rs []Resource, roots []Ref) map[Ref]bool {
	byRef := map[Ref]Resource{}
	for _, r := range rs {
		byRef[r.Ref()] = r
	}
	out := map[Ref]bool{}
	todo := append([]Ref(nil), roots...)
	for len(todo) > 0 {
		ref := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if out[ref] {
			continue
		}
		out[ref] = true
		r := byRef[ref]
		todo = append(todo, r.Needs...)
		todo = append(todo, r.After...)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

package engine

// HostContainer is implemented by backends whose services live inside
// their host (lxc: units in the one instance). When a plan removes the
// host, removing each service first is wasted work: Apply reports those
// removals done with the host instead of calling Remove for them.
type HostContainer interface {
	ServicesInHost() bool
}

// removedWithHost reports whether a's removal is covered by the removal
// of the host in p.
func removedWithHost(b Backend, p Plan, a Action) bool {
	hc, ok := b.(HostContainer)
	if !ok || !hc.ServicesInHost() || a.Op != OpRemove || a.Resource.Kind != KindService {
		return false
	}
	for _, h := range p.Actions {
		if h.Op == OpRemove && h.Resource.Kind == KindHost {
			return true
		}
	}
	return false
}

// Killer is implemented by backends whose Remove of a service kills it at
// once (docker: a forced remove, SIGKILL) rather than stopping it first.
// Teardown orders removals so a service stops after the services that use
// it; a kill gives none of them time to notice, so Apply removes such a
// backend's services all at once instead of level by level.
type Killer interface {
	RemoveKills() bool
}

// waitsForDependants reports whether a's teardown must wait for its
// dependants' teardown.
func waitsForDependants(b Backend, a Action) bool {
	k, ok := b.(Killer)
	kills := ok && k.RemoveKills() && a.Resource.Kind == KindService && (a.Op == OpRemove || a.Op == OpReplace)
	return !kills
}

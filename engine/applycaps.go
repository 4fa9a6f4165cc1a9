package engine

import (
	"context"

	"github.com/devbox-dev/devbox/envfile"
)

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

// Preparer is implemented by backends that can do, for a service's create,
// the part that needs only what the service Needs (networks, volumes), not
// the services it starts After (docker: make the container; starting it
// is Create's). Apply prepares every service as soon as its needs are
// there, so the creates of a depends_on tree happen at once, as Compose's
// do, and only the starts wait level by level. A prepared service whose
// Create never runs (a dependency failed, Ctrl-C) is left created and not
// started: the next up observes it stopped and starts it.
type Preparer interface {
	Prepare(ctx context.Context, env *envfile.Environment, r Resource, p Progress) error
}

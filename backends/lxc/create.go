package lxc

import (
	"context"
	"fmt"
	"strings"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Create makes one desired resource; hosts are provisioned and services
// started (and healthy) before it returns. Labels are written last. It
// does not run Preflight (the CLI does, before applying): a fault it
// would have found fails the create that meets it instead.
func (b *Backend) Create(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	if p == nil {
		p = engine.Discard
	}
	switch r.Kind {
	case engine.KindNetwork:
		return b.createNetwork(ctx, env, r)
	case engine.KindVolume:
		return b.createVolume(ctx, env, r)
	case engine.KindHost:
		return b.createHost(ctx, env, r, p)
	case engine.KindService:
		return b.createService(ctx, env, r, p)
	}
	return fmt.Errorf("lxc: cannot create %s", r.Ref())
}

// Start starts a stopped host (waiting for systemd) or service (waiting for
// its health check).
func (b *Backend) Start(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	if p == nil {
		p = engine.Discard
	}
	switch r.Kind {
	case engine.KindHost:
		return b.startHost(ctx, env, r, p)
	case engine.KindService:
		return b.startService(ctx, env, r, p)
	}
	return nil // networks and volumes have nothing to start
}

// Stop stops a host (the instance) or a service (its unit).
func (b *Backend) Stop(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	project := env.Project
	switch r.Kind {
	case engine.KindHost:
		return b.stopInstance(ctx, r.ID)
	case engine.KindService:
		// systemctl stop returns once the unit has stopped: a replica
		// scaled away is stopped cleanly before its files go.
		inst, unit := InstanceName(project), stopUnit(env, r)
		if _, err := b.output(ctx, inst, "systemctl", "stop", unit); err != nil {
			return fmt.Errorf("lxc: stop %s in %q: %w", unit, inst, err)
		}
	}
	return nil
}

// stopUnit is the unit of service r: as observed (its ID, from the
// labels), else as the file makes it.
func stopUnit(env *envfile.Environment, r engine.Resource) string {
	if strings.HasSuffix(r.ID, ".service") {
		return r.ID
	}
	if svc := env.Service(r.Name); svc != nil {
		return unitOf(svc)
	}
	return UnitName(r.Name)
}

// Remove deletes an observed resource. Mounted host directories are never
// touched; volumes go only when a destroy --volumes plan says so.
func (b *Backend) Remove(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	switch r.Kind {
	case engine.KindNetwork:
		return b.removeNetwork(ctx, r)
	case engine.KindVolume:
		return b.removeVolume(ctx, r)
	case engine.KindHost:
		return b.removeHost(ctx, r, p)
	case engine.KindService:
		return b.removeService(ctx, env, r)
	}
	return nil
}

package docker

import (
	"context"
	"fmt"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Start starts a stopped service container, or takes a running one whose
// check has not passed yet, and waits for its health check. Networks and
// volumes have nothing to start.
func (b *Backend) Start(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	if p == nil {
		p = engine.Discard
	}
	switch r.Kind {
	case engine.KindNetwork, engine.KindVolume:
		return nil
	case engine.KindService:
	default:
		return errUnknownKind(r)
	}
	s := env.Service(r.Name)
	if s == nil {
		return fmt.Errorf("docker: start: no service %q in the environment", r.Name)
	}
	id := r.ID
	if id == "" {
		id = ContainerName(env.Project, s.Name)
	}
	// Running already: an up was stopped while it waited for the health
	// check (observed as starting); waiting for it is what is left to do.
	if c, err := b.cli.ContainerInspect(ctx, id); err == nil && c.State != nil && c.State.Running {
		return b.awaitHealthy(ctx, s, c.ID, p)
	}
	skip, err := b.ownPorts(ctx, env.Project)
	if err != nil {
		return err
	}
	if err := b.checkPorts(ctx, s, skip); err != nil {
		return err
	}
	return b.startService(ctx, env, s, id, p)
}

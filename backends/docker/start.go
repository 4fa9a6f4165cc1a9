package docker

import (
	"context"
	"fmt"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Start starts a stopped service container and waits for its health
// check. Networks and volumes have nothing to start.
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
	skip, err := b.ownPorts(ctx, env.Project)
	if err != nil {
		return err
	}
	if err := b.checkPorts(ctx, s, skip); err != nil {
		return err
	}
	return b.startService(ctx, env, s, id, p)
}

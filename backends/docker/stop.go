package docker

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Stop stops a running service container, keeping it.
func (b *Backend) Stop(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	project := env.Project
	switch r.Kind {
	case engine.KindNetwork, engine.KindVolume, engine.KindImage:
		return nil
	case engine.KindService:
	default:
		return errUnknownKind(r)
	}
	id := r.ID
	if id == "" {
		id = ContainerName(project, r.Name)
	}
	// No timeout here: the daemon gives the container its own (Docker's
	// 10 s, longer for systemd = true, see applySystemd) before a kill.
	if err := b.cli.ContainerStop(ctx, id, container.StopOptions{}); err != nil && !notFound(err) {
		return fmt.Errorf("docker: stop container %q: %w", ContainerName(project, r.Name), err)
	}
	return nil
}

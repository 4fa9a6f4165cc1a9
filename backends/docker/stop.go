package docker

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// stopTimeout is how long a container gets to stop before it is killed.
const stopTimeout = 10

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
	t := stopTimeout
	if err := b.cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &t}); err != nil && !notFound(err) {
		return fmt.Errorf("docker: stop container %q: %w", ContainerName(project, r.Name), err)
	}
	return nil
}

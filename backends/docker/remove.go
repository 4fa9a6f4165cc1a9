package docker

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// RemoveKills: Remove of a service is a forced remove (engine.Killer), so
// a teardown need not wait for its dependants.
func (b *Backend) RemoveKills() bool { return true }

// Remove deletes an observed resource: a container (forced, with its
// anonymous volumes), a network, or — only when a destroy --volumes plan
// asks — a named volume. Bind mount sources are never touched.
func (b *Backend) Remove(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	project := env.Project
	switch r.Kind {
	case engine.KindService:
		id := r.ID
		if id == "" {
			id = ContainerName(project, r.Name)
		}
		if err := b.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !notFound(err) {
			return fmt.Errorf("docker: remove container %q: %w", ContainerName(project, r.Name), err)
		}
		return nil
	case engine.KindNetwork:
		return b.removeNetwork(ctx, project, r)
	case engine.KindVolume:
		return b.removeVolume(ctx, project, r)
	case engine.KindImage:
		return nil // cache; never removed here
	}
	return errUnknownKind(r)
}

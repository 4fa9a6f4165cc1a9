package docker

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/volume"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// createVolume makes a labelled named volume. Docker returns an existing
// volume of the same name unchanged, so this is idempotent.
func (b *Backend) createVolume(ctx context.Context, env *envfile.Environment, r engine.Resource) error {
	name := VolumeName(env.Project, r.Name)
	_, err := b.cli.VolumeCreate(ctx, volume.CreateOptions{
		Name:   name,
		Labels: b.labels(env.Project, engine.KindVolume, r.Name, r.Hash),
	})
	if err != nil {
		return fmt.Errorf("docker: create volume %q: %w", name, err)
	}
	return nil
}

// removeVolume deletes a named volume; the executor asks only on
// destroy --volumes.
func (b *Backend) removeVolume(ctx context.Context, project string, r engine.Resource) error {
	name := r.ID
	if name == "" {
		name = VolumeName(project, r.Name)
	}
	if err := b.cli.VolumeRemove(ctx, name, false); err != nil && !notFound(err) {
		return fmt.Errorf("docker: remove volume %q: %w", name, err)
	}
	return nil
}

package docker

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/volume"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// createVolume makes a labelled named volume. Docker returns an existing
// volume of the same name unchanged (and cannot relabel one), so a volume
// of that name devbox did not make for this project and volume is refused
// with the way out, not adopted silently (observe would never see it).
func (b *Backend) createVolume(ctx context.Context, env *envfile.Environment, r engine.Resource) error {
	name := VolumeName(env.Project, r.Name)
	if v, err := b.cli.VolumeInspect(ctx, name); err == nil {
		if v.Labels[LabelProject] == env.Project && v.Labels[LabelName] == r.Name {
			return nil
		}
		return fmt.Errorf("docker: volume %q exists and devbox did not make it for volume %q of project %q (labels %v); "+
			"Docker cannot relabel a volume: rename the project or the volume, or copy its data out and remove it (docker volume rm %s)",
			name, r.Name, env.Project, v.Labels, name)
	} else if !notFound(err) {
		return fmt.Errorf("docker: inspect volume %q: %w", name, err)
	}
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

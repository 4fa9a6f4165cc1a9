package lxc

import (
	"context"
	"fmt"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// createVolume makes the custom storage volume of r, or adopts the one
// already labelled as it (data is never thrown away by up). A volume of
// that name that devbox did not make for this project and volume is left
// alone, with an error that says so.
func (b *Backend) createVolume(ctx context.Context, env *envfile.Environment, r engine.Resource) error {
	pool, err := b.pool(ctx)
	if err != nil {
		return err
	}
	name := b.volumeName(pool, env.Project, r.Name)
	cfg := map[string]string{keyProject: env.Project, keyName: r.Name, keyHash: r.Hash}
	if v, etag, err := b.c.GetStoragePoolVolume(pool, "custom", name); err == nil {
		if v.Config[keyProject] != env.Project || v.Config[keyName] != r.Name {
			return fmt.Errorf("lxc: volume %q of pool %q exists and devbox did not make it for volume %q of project %q (labels: project %q, volume %q); "+
				"keep it and rename the project or volume, or remove it (incus storage volume delete %s %s) if its data is not needed",
				name, pool, r.Name, env.Project, v.Config[keyProject], v.Config[keyName], pool, name)
		}
		put := v.Writable()
		for k, val := range cfg {
			put.Config[k] = val
		}
		if err := b.c.UpdateStoragePoolVolume(pool, "custom", name, put, etag); err != nil {
			return fmt.Errorf("lxc: adopt volume %q: %w", name, err)
		}
		return nil
	}
	req := api.StorageVolumesPost{Name: name, Type: "custom", ContentType: "filesystem",
		StorageVolumePut: api.StorageVolumePut{Config: cfg, Description: "devbox " + env.Project + " volume " + r.Name}}
	if err := b.c.CreateStoragePoolVolume(pool, req); err != nil {
		return fmt.Errorf("lxc: create volume %q in pool %q: %w", name, pool, err)
	}
	return nil
}

// volumeName is the volume's name in pool: the legacy <project>-<volume>
// when such a volume is labelled as this one, else VolumeName.
func (b *Backend) volumeName(pool, project, vol string) string {
	legacy := legacyVolumeName(project, vol)
	if v, _, err := b.c.GetStoragePoolVolume(pool, "custom", legacy); err == nil &&
		v.Config[keyProject] == project && v.Config[keyName] == vol {
		return legacy
	}
	return VolumeName(project, vol)
}

func (b *Backend) removeVolume(ctx context.Context, r engine.Resource) error {
	pool, err := b.pool(ctx)
	if err != nil {
		return err
	}
	if err := b.c.DeleteStoragePoolVolume(pool, "custom", r.ID); err != nil && !api.StatusErrorCheck(err, 404) {
		return fmt.Errorf("lxc: remove volume %q (%s): %w", r.Name, r.ID, err)
	}
	return nil
}

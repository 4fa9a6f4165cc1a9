package lxc

import (
	"context"
	"fmt"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// createVolume makes the custom storage volume <project>-<volume>, or
// adopts an existing one (data is never thrown away by up).
func (b *Backend) createVolume(ctx context.Context, env *envfile.Environment, r engine.Resource) error {
	pool, err := b.pool(ctx)
	if err != nil {
		return err
	}
	name := VolumeName(env.Project, r.Name)
	cfg := map[string]string{keyProject: env.Project, keyName: r.Name, keyHash: r.Hash}
	if v, etag, err := b.c.GetStoragePoolVolume(pool, "custom", name); err == nil {
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

package lxc

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// keyScale is `devbox scale`'s record on the project's instance: JSON,
// service -> {count, file}. It is in no hash, and writing it is a config
// update of a user.* key, which restarts nothing.
const keyScale = "user.devbox.scale"

var _ engine.ScaleRecorder = (*Backend)(nil)

// Scales reads the project's scale record; none (no instance, or no
// record) is an empty map.
func (b *Backend) Scales(ctx context.Context, env *envfile.Environment) (map[string]engine.Scale, error) {
	inst, err := b.projectInstance(env.Project)
	if err != nil || inst == nil {
		return map[string]engine.Scale{}, err
	}
	return parseScales(inst.Name, inst.Config[keyScale])
}

// RecordScales replaces the project's scale record with scales, in one
// instance update (none when it is unchanged); nil or empty removes it.
func (b *Backend) RecordScales(ctx context.Context, env *envfile.Environment, scales map[string]engine.Scale) error {
	name := InstanceName(env.Project)
	b.forgetScale(name)
	inst, err := b.projectInstance(env.Project)
	if err != nil {
		return err
	}
	if inst == nil {
		if len(scales) == 0 {
			return nil // nothing recorded where nothing exists (destroy)
		}
		return fmt.Errorf("lxc: record the scale of project %q: it has no instance %s; run devbox up first", env.Project, name)
	}
	value := ""
	if len(scales) > 0 {
		text, err := json.Marshal(scales) // keys sorted: the same record is the same text
		if err != nil {
			return fmt.Errorf("lxc: record the scale of %q: %w", name, err)
		}
		value = string(text)
	}
	return b.setConfig(name, map[string]string{keyScale: value})
}

// projectInstance is the project's instance, nil when it does not exist
// (or the name is another project's: not ours to read or write).
func (b *Backend) projectInstance(project string) (*api.Instance, error) {
	name := InstanceName(project)
	inst, _, err := b.c.GetInstance(name)
	if err != nil {
		if api.StatusErrorCheck(err, 404) {
			return nil, nil
		}
		return nil, fmt.Errorf("lxc: get instance %q: %w", name, err)
	}
	if inst.Config[keyProject] != project {
		return nil, nil
	}
	return inst, nil
}

func parseScales(inst, text string) (map[string]engine.Scale, error) {
	out := map[string]engine.Scale{}
	if text == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil, fmt.Errorf("lxc: read %s of %q: %w; remove it with: incus config unset %s %s", keyScale, inst, err, inst, keyScale)
	}
	return out, nil
}

// The record lives on the instance, so a rebuild (a changed image,
// package or network: the host is removed, then created) would lose it:
// deleteInstance keeps it for this process, and the host's create writes
// it back with the host hash. RecordScales drops what was kept, so a
// destroy (which records nil) does not hand it to a later create.

// keepScale remembers the record of an instance being deleted.
func (b *Backend) keepScale(inst, value string) {
	if value == "" {
		return
	}
	b.unitsMu.Lock()
	defer b.unitsMu.Unlock()
	if b.scales == nil {
		b.scales = map[string]string{}
	}
	b.scales[inst] = value
}

// takeScale is the record kept for inst ("" for none), and forgets it.
func (b *Backend) takeScale(inst string) string {
	b.unitsMu.Lock()
	defer b.unitsMu.Unlock()
	v := b.scales[inst]
	delete(b.scales, inst)
	return v
}

func (b *Backend) forgetScale(inst string) { b.takeScale(inst) }

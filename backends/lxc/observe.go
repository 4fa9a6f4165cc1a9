package lxc

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
)

// Observe lists the project's networks, volumes, instance and units, found
// by their user.devbox.* keys. Unit states (with health, see unitStates)
// come from one exec.
func (b *Backend) Observe(ctx context.Context, project string) ([]engine.Resource, error) {
	var out []engine.Resource
	nets, err := b.c.GetNetworks()
	if err != nil {
		return nil, fmt.Errorf("lxc: list networks: %w", err)
	}
	for _, n := range nets {
		if n.Managed && n.Config[keyProject] == project {
			out = append(out, engine.Resource{Kind: engine.KindNetwork, Name: n.Config[keyName], Hash: n.Config[keyHash], ID: n.Name, State: engine.StateExists})
		}
	}
	pool, err := b.pool(ctx)
	if err != nil {
		return nil, err
	}
	vols, err := b.c.GetStoragePoolVolumes(pool)
	if err != nil {
		return nil, fmt.Errorf("lxc: list volumes of pool %q: %w", pool, err)
	}
	for _, v := range vols {
		if v.Type == "custom" && v.Config[keyProject] == project {
			out = append(out, engine.Resource{Kind: engine.KindVolume, Name: v.Config[keyName], Hash: v.Config[keyHash], ID: v.Name, State: engine.StateExists})
		}
	}
	inst, err := b.instance(project)
	if err != nil || inst == nil {
		return out, err
	}
	host := engine.Resource{Kind: engine.KindHost, Name: inst.Name, Hash: inst.Config[keyHash], ID: inst.Name, State: engine.StateStopped}
	if inst.StatusCode == api.Running {
		host.State = engine.StateRunning
	}
	hostAt := len(out)
	out = append(out, host)
	var services []string
	for k, v := range inst.Config {
		if name, ok := strings.CutPrefix(k, keyBridged); ok {
			out = append(out, engine.Resource{Kind: engine.KindNetwork, Name: name, Hash: v, ID: "nic:" + name, State: engine.StateExists})
		}
		if name, ok := strings.CutPrefix(k, keyService); ok {
			services = append(services, name)
		}
	}
	sort.Strings(services)
	var drift map[string]string
	out[hostAt].Drift, drift = deviceDrift(inst, services)
	states := map[string]string{}
	if host.State == engine.StateRunning && len(services) > 0 {
		health, units := map[string]bool{}, map[string]string{}
		for _, s := range services {
			health[s] = inst.Config[keyHealth+s] != ""
			units[s] = labelledUnit(inst.Config, s)
		}
		states, err = b.unitStates(ctx, inst.Name, services, units, health)
		if err != nil {
			return nil, err
		}
	}
	for _, s := range services {
		st := states[s]
		if st == "" {
			st = engine.StateStopped
		}
		out = append(out, engine.Resource{
			Kind: engine.KindService, Name: s, Hash: inst.Config[keyService+s], ID: labelledUnit(inst.Config, s),
			State: st, Needs: []engine.Ref{host.Ref()}, Drift: drift[s],
		})
	}
	return out, nil
}

// instance finds the project's instance by its label; nil when absent.
func (b *Backend) instance(project string) (*api.Instance, error) {
	list, err := b.c.GetInstances(api.InstanceTypeAny)
	if err != nil {
		return nil, fmt.Errorf("lxc: list instances: %w", err)
	}
	for i := range list {
		if list[i].Config[keyProject] == project {
			return &list[i], nil
		}
	}
	return nil, nil
}

// pool is the storage pool of the root disk in the default profile, where
// custom volumes go.
func (b *Backend) pool(ctx context.Context) (string, error) {
	p, _, err := b.c.GetProfile("default")
	if err != nil {
		return "", fmt.Errorf("lxc: read profile default: %w", err)
	}
	for _, d := range p.Devices {
		if d["type"] == "disk" && d["path"] == "/" && d["pool"] != "" {
			return d["pool"], nil
		}
	}
	return "", fmt.Errorf("lxc: the default profile has no root disk; add one with: incus profile device add default root disk path=/ pool=default")
}

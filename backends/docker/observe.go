package docker

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/devbox-dev/devbox/engine"
)

// LabelNetworks lists, comma-separated, the project networks a service's
// container must be attached to. Docker takes labels at create, before the
// container joins its other networks, so an interrupted create leaves a
// container with final labels on its first network only: Observe compares
// the attachments with this label and reports the difference as drift.
const LabelNetworks = "dev.devbox.networks"

// Observe lists the project's networks, volumes and containers (running
// or not), found by the dev.devbox.project label. A running container with
// a health check is starting until the check passes, unhealthy when it
// fails; a container not attached to one of its networks drifts. Several
// networks of one name (concurrent ups on Docker 20.10) come back as one
// network and duplicates for the plan to remove.
func (b *Backend) Observe(ctx context.Context, project string) ([]engine.Resource, error) {
	nets, err := b.projectNetworks(ctx, project)
	if err != nil {
		return nil, err
	}
	keep := map[string]string{} // network name -> ID of the one kept
	var out []engine.Resource
	for _, n := range nets {
		r := observed(engine.KindNetwork, n.Labels, n.ID, engine.StateExists)
		if !n.Duplicate {
			keep[r.Name] = n.ID
		} else {
			r.Name = duplicateName(r.Name, n.ID)
		}
		out = append(out, r)
	}
	vols, err := b.cli.VolumeList(ctx, volume.ListOptions{Filters: projectFilter(project, engine.KindVolume)})
	if err != nil {
		return nil, fmt.Errorf("docker: list volumes: %w", err)
	}
	for _, v := range vols.Volumes {
		out = append(out, observed(engine.KindVolume, v.Labels, v.Name, engine.StateExists))
	}
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: projectFilter(project, engine.KindService)})
	if err != nil {
		return nil, fmt.Errorf("docker: list containers: %w", err)
	}
	for _, c := range cs {
		r := observed(engine.KindService, c.Labels, c.ID, containerState(c.State, c.Status))
		r.Drift = networkDrift(c, keep)
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

func observed(kind engine.Kind, labels map[string]string, id, state string) engine.Resource {
	return engine.Resource{Kind: kind, Name: labels[LabelName], Hash: labels[LabelHash], ID: id, State: state}
}

// containerState maps a listed container's state and status text to an
// engine state. API 1.41 lists no health field; its status text ends in
// "(health: starting)", "(unhealthy)" or "(healthy)" (daemon/list.go).
func containerState(state container.ContainerState, status string) string {
	if state != container.StateRunning {
		return engine.StateStopped
	}
	switch {
	case strings.HasSuffix(status, "(health: starting)"):
		return engine.StateStarting
	case strings.HasSuffix(status, "(unhealthy)"):
		return engine.StateUnhealthy
	}
	return engine.StateRunning
}

// networkDrift names a network the container's labels say it is on but it
// is not attached to (the network devbox keeps, by ID). Containers made
// before the label existed, and networks that do not exist at all (the
// plan creates them and so replaces the container), report nothing.
func networkDrift(c container.Summary, keep map[string]string) string {
	want := c.Labels[LabelNetworks]
	if want == "" || c.NetworkSettings == nil {
		return ""
	}
	attached := map[string]bool{}
	for _, ep := range c.NetworkSettings.Networks {
		if ep != nil {
			attached[ep.NetworkID] = true
		}
	}
	for _, n := range strings.Split(want, ",") {
		if id := keep[n]; id != "" && !attached[id] {
			return fmt.Sprintf("not attached to network %q", n)
		}
	}
	return ""
}

// duplicateName is how an extra network of one name is shown and removed:
// "lan (duplicate 3f2a9c1e)".
func duplicateName(name, id string) string {
	if len(id) > 8 {
		id = id[:8]
	}
	return fmt.Sprintf("%s (duplicate %s)", name, id)
}

// projectNet is a project network as listed, marked when another of the
// same name is the one devbox keeps.
type projectNet struct {
	network.Summary
	Duplicate bool
}

// projectNetworks lists the project's networks. Of several with one name
// label, the one devbox keeps is the one with containers attached, else
// the oldest (then the lowest ID, so every caller picks the same); the
// others are marked Duplicate.
func (b *Backend) projectNetworks(ctx context.Context, project string) ([]projectNet, error) {
	nets, err := b.cli.NetworkList(ctx, network.ListOptions{Filters: projectFilter(project, engine.KindNetwork)})
	if err != nil {
		return nil, fmt.Errorf("docker: list networks: %w", err)
	}
	byName := map[string][]network.Summary{}
	for _, n := range nets {
		byName[n.Labels[LabelName]] = append(byName[n.Labels[LabelName]], n)
	}
	var out []projectNet
	for _, group := range byName {
		if len(group) == 1 {
			out = append(out, projectNet{Summary: group[0]})
			continue
		}
		// The list has no containers: inspect each candidate.
		used := map[string]bool{}
		for _, n := range group {
			ins, err := b.cli.NetworkInspect(ctx, n.ID, network.InspectOptions{})
			if err != nil && !notFound(err) {
				return nil, fmt.Errorf("docker: inspect network %s: %w", n.ID, err)
			}
			used[n.ID] = len(ins.Containers) > 0
		}
		sort.Slice(group, func(i, j int) bool {
			a, c := group[i], group[j]
			if used[a.ID] != used[c.ID] {
				return used[a.ID]
			}
			if !a.Created.Equal(c.Created) {
				return a.Created.Before(c.Created)
			}
			return a.ID < c.ID
		})
		for i, n := range group {
			out = append(out, projectNet{Summary: n, Duplicate: i > 0})
		}
	}
	return out, nil
}

// networkIDs resolves a project's network names to the IDs of the networks
// devbox keeps, so joining one is never ambiguous while duplicates exist.
func (b *Backend) networkIDs(ctx context.Context, project string) (map[string]string, error) {
	nets, err := b.projectNetworks(ctx, project)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for _, n := range nets {
		if !n.Duplicate {
			ids[n.Name] = n.ID
		}
	}
	return ids, nil
}

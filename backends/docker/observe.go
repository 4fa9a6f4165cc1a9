package docker

import (
	"context"
	"fmt"
	"sort"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/devbox-dev/devbox/engine"
)

// Observe lists the project's networks, volumes and containers (running
// or not), found by the dev.devbox.project label.
func (b *Backend) Observe(ctx context.Context, project string) ([]engine.Resource, error) {
	var out []engine.Resource
	nets, err := b.cli.NetworkList(ctx, network.ListOptions{Filters: projectFilter(project, engine.KindNetwork)})
	if err != nil {
		return nil, fmt.Errorf("docker: list networks: %w", err)
	}
	for _, n := range nets {
		out = append(out, observed(engine.KindNetwork, n.Labels, n.ID, engine.StateExists))
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
		state := engine.StateStopped
		if c.State == container.StateRunning {
			state = engine.StateRunning
		}
		out = append(out, observed(engine.KindService, c.Labels, c.ID, state))
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

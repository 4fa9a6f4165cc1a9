package docker

import (
	"context"
	"fmt"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
)

// The suite reads volume data and service restarts through Exec.
var _ engine.Execer = (*Backend)(nil)

// TestConformance runs the shared Backend suite against the real dockerd:
// services alone, one container each, on a network, with a volume.
func TestConformance(t *testing.T) {
	hand := newBackend(t) // the suite's "by hand": the Docker API directly
	enginetest.BackendSuite(t, func(t *testing.T) engine.Backend { return newBackend(t) }, enginetest.SuiteOptions{
		Project: "dkconf",
		StopByHand: func(ctx context.Context, project, service string) error {
			id, err := serviceContainer(ctx, hand, project, service)
			if err != nil {
				return err
			}
			timeout := 1
			if err := hand.cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &timeout}); err != nil {
				return fmt.Errorf("docker stop %s: %w", id, err)
			}
			return nil
		},
		ProjectLabel: func(ctx context.Context, project string, r engine.Resource) (string, error) {
			return projectLabel(ctx, hand, r)
		},
	})
}

// serviceContainer finds a service's container by its labels, as a user
// running docker ps would.
func serviceContainer(ctx context.Context, b *Backend, project, service string) (string, error) {
	f := projectFilter(project, engine.KindService)
	f.Add("label", LabelName+"="+service)
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return "", fmt.Errorf("docker ps: %w", err)
	}
	if len(cs) != 1 {
		return "", fmt.Errorf("%d containers of service %s in %s, want 1", len(cs), service, project)
	}
	return cs[0].ID, nil
}

// projectLabel inspects the object behind an observed resource by its ID.
func projectLabel(ctx context.Context, b *Backend, r engine.Resource) (string, error) {
	var labels map[string]string
	switch r.Kind {
	case engine.KindNetwork:
		n, err := b.cli.NetworkInspect(ctx, r.ID, network.InspectOptions{})
		if err != nil {
			return "", fmt.Errorf("inspect network %s: %w", r.ID, err)
		}
		labels = n.Labels
	case engine.KindVolume:
		v, err := b.cli.VolumeInspect(ctx, r.ID)
		if err != nil {
			return "", fmt.Errorf("inspect volume %s: %w", r.ID, err)
		}
		labels = v.Labels
	case engine.KindService:
		c, err := b.cli.ContainerInspect(ctx, r.ID)
		if err != nil {
			return "", fmt.Errorf("inspect container %s: %w", r.ID, err)
		}
		labels = c.Config.Labels
	default:
		return "", fmt.Errorf("unexpected kind %s", r.Kind)
	}
	return labels[LabelProject], nil
}

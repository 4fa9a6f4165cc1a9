package lxc

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
)

// The suite reads volume data and service restarts through Exec.
var _ engine.Execer = (*Backend)(nil)

// TestConformance runs the shared Backend suite against the real incusd:
// one system container (the host) with a systemd unit per service, on a
// network, with a volume.
func TestConformance(t *testing.T) {
	hand := newBackend(t) // the suite's "by hand": Incus directly
	enginetest.BackendSuite(t, func(t *testing.T) engine.Backend { return newBackend(t) }, enginetest.SuiteOptions{
		Project: "lxconf",
		StopByHand: func(ctx context.Context, project, service string) error {
			// incus exec devbox-<project> -- systemctl stop devbox-<service>.service
			if _, err := hand.output(ctx, InstanceName(project), "systemctl", "stop", UnitName(service)); err != nil {
				return fmt.Errorf("systemctl stop %s: %w", UnitName(service), err)
			}
			return nil
		},
		ProjectLabel: func(ctx context.Context, project string, r engine.Resource) (string, error) {
			return projectLabel(ctx, hand, project, r)
		},
	})
}

// projectLabel reads user.devbox.project off the Incus object behind an
// observed resource. A unit (or a bridged NIC) is a key on the instance,
// so for those it is the instance's, once the instance is shown to carry
// the unit's key.
func projectLabel(ctx context.Context, b *Backend, project string, r engine.Resource) (string, error) {
	switch {
	case r.Kind == engine.KindNetwork && !strings.HasPrefix(r.ID, "nic:"):
		n, _, err := b.c.GetNetwork(r.ID)
		if err != nil {
			return "", fmt.Errorf("network %s: %w", r.ID, err)
		}
		return n.Config[keyProject], nil
	case r.Kind == engine.KindVolume:
		pool, err := b.pool(ctx)
		if err != nil {
			return "", err
		}
		v, _, err := b.c.GetStoragePoolVolume(pool, "custom", r.ID)
		if err != nil {
			return "", fmt.Errorf("volume %s: %w", r.ID, err)
		}
		return v.Config[keyProject], nil
	case r.Kind == engine.KindHost:
		inst, _, err := b.c.GetInstance(r.ID)
		if err != nil {
			return "", fmt.Errorf("instance %s: %w", r.ID, err)
		}
		return inst.Config[keyProject], nil
	}
	inst, _, err := b.c.GetInstance(InstanceName(project))
	if err != nil {
		return "", fmt.Errorf("instance of %s: %w", project, err)
	}
	k := keyService + r.Name
	if r.Kind == engine.KindNetwork {
		k = keyBridged + r.Name
	}
	if inst.Config[k] == "" {
		return "", fmt.Errorf("instance %s has no %s", inst.Name, k)
	}
	return inst.Config[keyProject], nil
}

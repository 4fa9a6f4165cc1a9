package docker

import (
	"context"
	"errors"
	"fmt"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/system"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Create makes a network, a volume, or a service's container (building its
// image first, then starting it and waiting for its health check).
func (b *Backend) Create(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	if p == nil {
		p = engine.Discard
	}
	switch r.Kind {
	case engine.KindNetwork:
		return b.createNetwork(ctx, env, r, p)
	case engine.KindVolume:
		return b.createVolume(ctx, env, r)
	case engine.KindService:
		return b.createService(ctx, env, r, p)
	}
	return errUnknownKind(r)
}

var _ engine.Preparer = (*Backend)(nil)

// Prepare builds a service's image and makes its container, not started,
// while the services it depends on start; Finish starts it (Create's last
// step), Abandon removes it. Networks and volumes have nothing to prepare.
func (b *Backend) Prepare(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) (engine.Prepared, error) {
	if p == nil {
		p = engine.Discard
	}
	if r.Kind != engine.KindService {
		return engine.Prepared{
			Finish:  func(ctx context.Context) error { return b.Create(ctx, env, r, p) },
			Abandon: func(context.Context) {},
		}, nil
	}
	s, id, err := b.makeContainer(ctx, env, r, p)
	if err != nil {
		return engine.Prepared{}, err
	}
	return engine.Prepared{
		Finish:  func(ctx context.Context) error { return b.startService(ctx, env, s, id, p) },
		Abandon: func(ctx context.Context) { b.discard(ctx, id) },
	}, nil
}

func (b *Backend) createService(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	s, id, err := b.makeContainer(ctx, env, r, p)
	if err != nil {
		return err
	}
	return b.startService(ctx, env, s, id, p)
}

// makeContainer checks the service's mounts and ports, builds its image and
// makes its container on its networks, not started; it returns the ID.
func (b *Backend) makeContainer(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) (*envfile.Service, string, error) {
	s := env.Service(r.Name)
	if s == nil {
		return nil, "", fmt.Errorf("docker: create: no service %q in the environment", r.Name)
	}
	ev := r.Ref()
	name := ContainerName(env.Project, s.Name)
	// Checks first: nothing is made for a service that cannot start.
	if err := checkMounts(env, s); err != nil {
		return nil, "", err
	}
	if err := b.checkPorts(ctx, s, nil); err != nil {
		return nil, "", err
	}
	base, err := b.ensureImage(ctx, serviceImage(env, s), ev, p)
	if err != nil {
		return nil, "", fmt.Errorf("docker: service %q: %w", s.Name, err)
	}
	img := serviceImage(env, s)
	if needsBuild(s) {
		if img, err = b.buildImage(ctx, s, base, env.Proxy, ev, p); err != nil {
			return nil, "", err
		}
	}
	var info system.Info
	if s.Systemd {
		if info, err = b.cli.Info(ctx); err != nil {
			return nil, "", fmt.Errorf("docker: create container %q: info: %w", name, err)
		}
	}
	spec, err := b.buildSpec(env, s, r, img, base, info)
	if err != nil {
		return nil, "", err
	}
	if err := b.resolveNetworks(ctx, env.Project, spec); err != nil {
		return nil, "", fmt.Errorf("docker: create container %q: %w", name, err)
	}
	p(engine.Event{Ref: ev, Status: "creating container " + name})
	// API 1.41 takes one network at create; the others are joined before start.
	spec.Host.NetworkMode = container.NetworkMode(spec.Networks[0])
	netCfg := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{spec.Networks[0]: spec.endpoint()}}
	created, err := b.cli.ContainerCreate(ctx, spec.Config, spec.Host, netCfg, nil, spec.Name)
	if err != nil {
		return nil, "", fmt.Errorf("docker: create container %q: %w", name, err)
	}
	if err := b.connect(ctx, created.ID, spec); err != nil {
		b.discard(ctx, created.ID)
		return nil, "", fmt.Errorf("docker: create container %q: %w", name, err)
	}
	return s, created.ID, nil
}

// resolveNetworks replaces the spec's network names by the IDs of the
// networks devbox keeps: a name is ambiguous while a duplicate exists.
func (b *Backend) resolveNetworks(ctx context.Context, project string, spec *containerSpec) error {
	ids, err := b.networkIDs(ctx, project)
	if err != nil {
		return err
	}
	for i, n := range spec.Networks {
		id, ok := ids[n]
		if !ok {
			return fmt.Errorf("network %s does not exist; run devbox up to create it", n)
		}
		spec.Networks[i] = id
	}
	return nil
}

// connect joins the container to its other networks, answering to its
// service name on each.
func (b *Backend) connect(ctx context.Context, id string, spec *containerSpec) error {
	for _, n := range spec.Networks[1:] {
		if err := b.cli.NetworkConnect(ctx, n, id, spec.endpoint()); err != nil {
			return fmt.Errorf("join network %q: %w", n, err)
		}
	}
	return nil
}

// discard removes a container that could not be set up, so no container
// with the right labels but wrong settings is left behind.
func (b *Backend) discard(ctx context.Context, id string) {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	_ = b.cli.ContainerRemove(cctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
}

// startService starts the container and waits for its health check. When
// the check fails the container is stopped (kept, for its logs), so the
// next up starts it again instead of keeping a sick service.
func (b *Backend) startService(ctx context.Context, env *envfile.Environment, s *envfile.Service, id string, p engine.Progress) error {
	ev := engine.Ref{Kind: engine.KindService, Name: s.Name}
	name := ContainerName(env.Project, s.Name)
	p(engine.Event{Ref: ev, Status: "starting " + name})
	if err := b.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return fmt.Errorf("docker: start container %q: %w", name, err)
	}
	return b.awaitHealthy(ctx, s, id, p)
}

// awaitHealthy waits for a started container's health check and stops the
// container when it fails. An interrupted wait leaves it running, as a
// killed devbox would: the next up observes it as starting and waits again.
func (b *Backend) awaitHealthy(ctx context.Context, s *envfile.Service, id string, p engine.Progress) error {
	ev := engine.Ref{Kind: engine.KindService, Name: s.Name}
	if err := b.waitHealthy(ctx, id, s, ev, p); err != nil {
		if ctx.Err() != nil {
			return err
		}
		cctx, cancel := cleanupCtx(ctx)
		defer cancel()
		timeout := 5
		if serr := b.cli.ContainerStop(cctx, id, container.StopOptions{Timeout: &timeout}); serr != nil && !notFound(serr) {
			err = errors.Join(err, serr)
		}
		return err
	}
	return nil
}

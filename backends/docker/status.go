package docker

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

var _ engine.Statuser = (*Backend)(nil)

// Status reports each service of env: state, health, start time,
// restarts, addresses on the project networks and forwarded ports. CPU and
// memory are left to Usage: reading them waits about a second, and up's
// summary and the status table do not show them.
func (b *Backend) Status(ctx context.Context, env *envfile.Environment) ([]engine.ServiceStatus, error) {
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: projectFilter(env.Project, engine.KindService)})
	if err != nil {
		return nil, fmt.Errorf("docker: status: %w", err)
	}
	ids := map[string]string{}
	for _, c := range cs {
		ids[c.Labels[LabelName]] = c.ID
	}
	out := make([]engine.ServiceStatus, 0, len(env.Services))
	for _, s := range env.Services {
		st := engine.ServiceStatus{Name: s.Name, State: engine.StateMissing}
		if id, ok := ids[s.Name]; ok {
			c, err := b.cli.ContainerInspect(ctx, id)
			if err != nil {
				if !notFound(err) {
					return nil, fmt.Errorf("docker: status of %q: %w", s.Name, err)
				}
			} else {
				st = containerStatus(s.Name, c)
			}
		}
		out = append(out, st)
	}
	return out, nil
}

func containerStatus(name string, c container.InspectResponse) engine.ServiceStatus {
	st := engine.ServiceStatus{Name: name, State: engine.StateStopped, Restarts: c.RestartCount}
	if c.State != nil {
		if c.State.Health != nil {
			st.Health = string(c.State.Health.Status)
		}
		switch {
		case c.State.Running && st.Health == container.Starting:
			st.State = engine.StateStarting
		case c.State.Running && st.Health == container.Unhealthy:
			st.State = engine.StateUnhealthy
		case c.State.Running:
			st.State = engine.StateRunning
		case c.State.Status == container.StateExited && c.State.ExitCode != 0 && c.State.ExitCode != 137 && c.State.ExitCode != 143:
			st.State = engine.StateExited
		}
		if c.State.Running {
			st.StartedAt = c.State.StartedAt
		}
		if !c.State.Running {
			st.Health = ""
		}
	}
	if c.NetworkSettings != nil {
		for n, ep := range c.NetworkSettings.Networks {
			if ep != nil && ep.IPAddress != "" {
				st.Addresses = append(st.Addresses, ep.IPAddress+" ("+n+")")
			}
		}
		for port, binds := range c.NetworkSettings.Ports {
			for _, bd := range binds {
				st.Ports = append(st.Ports, fmt.Sprintf("%s:%s->%s", bd.HostIP, bd.HostPort, port))
			}
		}
	}
	sort.Strings(st.Addresses)
	sort.Strings(st.Ports)
	return st
}

// ownPorts lists the host ports published by the project's running
// containers, as "tcp/127.0.0.1:15432".
func (b *Backend) ownPorts(ctx context.Context, project string) (map[string]bool, error) {
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{Filters: projectFilter(project, engine.KindService)})
	if err != nil {
		return nil, fmt.Errorf("docker: list containers: %w", err)
	}
	out := map[string]bool{}
	for _, c := range cs {
		for _, p := range c.Ports {
			if p.PublicPort != 0 {
				ip := p.IP
				if strings.Contains(ip, ":") {
					ip = "[" + ip + "]"
				}
				out[fmt.Sprintf("%s/%s:%d", p.Type, ip, p.PublicPort)] = true
			}
		}
	}
	return out, nil
}

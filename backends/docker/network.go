package docker

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// createNetwork makes a project network: nat is a bridge with an
// auto-picked subnet, isolated an internal bridge, bridged a macvlan on
// the parent interface.
func (b *Backend) createNetwork(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	spec, err := networkSpec(env, r.Name)
	if err != nil {
		return err
	}
	name := NetworkName(env.Project, r.Name)
	// Parallel creates must not pick the same subnet.
	b.netMu.Lock()
	defer b.netMu.Unlock()

	existing, err := b.cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		return fmt.Errorf("docker: create network %q: %w", name, err)
	}
	for _, n := range existing {
		if n.Name == name {
			return fmt.Errorf("docker: create network %q: a network of that name already exists and devbox did not make it for project %q; remove it (docker network rm %s) or rename the project", name, env.Project, name)
		}
	}

	opts := network.CreateOptions{Driver: "bridge", Labels: b.labels(env.Project, engine.KindNetwork, r.Name, r.Hash)}
	switch spec.Mode {
	case envfile.NetworkNAT, "":
		if b.noNAT {
			opts.Options = map[string]string{"com.docker.network.bridge.enable_ip_masquerade": "false"}
		}
	case envfile.NetworkIsolated:
		if internal(env, spec) {
			opts.Internal = true
		} else {
			opts.Options = map[string]string{"com.docker.network.bridge.enable_ip_masquerade": "false"}
		}
	case envfile.NetworkBridged:
		if spec.Parent == "" {
			return fmt.Errorf("docker: create network %q: a bridged network needs parent (the host interface)", name)
		}
		opts.Driver = "macvlan"
		opts.Options = map[string]string{"parent": spec.Parent}
	}
	var used []usedNet
	if spec.Subnet != "" || spec.Mode != envfile.NetworkBridged {
		if used, err = b.usedSubnets(ctx); err != nil {
			return fmt.Errorf("docker: create network %q: %w", name, err)
		}
	}
	if spec.Subnet != "" {
		_, want, err := net.ParseCIDR(spec.Subnet)
		if err != nil {
			return fmt.Errorf("docker: create network %q: subnet %q: %w", name, spec.Subnet, err)
		}
		if spec.Mode != envfile.NetworkBridged { // a macvlan shares the LAN's subnet by design
			if u := clash(want, used); u != nil {
				return fmt.Errorf("docker: create network %q: subnet %s overlaps %s (%s); pick another subnet or leave it empty to auto-pick", name, want, u.Net, u.By)
			}
		}
		opts.IPAM = ipam(want.String())
		return b.networkCreate(ctx, name, opts, r, p)
	}
	if spec.Mode == envfile.NetworkBridged {
		return b.networkCreate(ctx, name, opts, r, p) // Docker's pool; set subnet to match the LAN
	}
	// Auto-pick; another process (a second devbox, a test) may take the
	// same subnet between our look and our create: then pick again.
	for attempt := 0; ; attempt++ {
		n, err := pickSubnet(used)
		if err != nil {
			return err
		}
		opts.IPAM = ipam(n.String())
		err = b.networkCreate(ctx, name, opts, r, p)
		if err == nil || attempt == 4 || !strings.Contains(err.Error(), "overlap") {
			return err
		}
		used = append(used, usedNet{Net: n, By: "a network created meanwhile"})
	}
}

func ipam(subnet string) *network.IPAM {
	return &network.IPAM{Driver: "default", Config: []network.IPAMConfig{{Subnet: subnet}}}
}

func (b *Backend) networkCreate(ctx context.Context, name string, opts network.CreateOptions, r engine.Resource, p engine.Progress) error {
	subnet := "(subnet from Docker's pool)"
	if opts.IPAM != nil {
		subnet = opts.IPAM.Config[0].Subnet
	}
	p(engine.Event{Ref: r.Ref(), Status: "creating network " + name + " " + subnet})
	if _, err := b.cli.NetworkCreate(ctx, name, opts); err != nil {
		return fmt.Errorf("docker: create network %q (%s): %w", name, subnet, err)
	}
	return nil
}

// usedSubnets is every subnet of a Docker network plus host routes and
// interface addresses.
func (b *Backend) usedSubnets(ctx context.Context) ([]usedNet, error) {
	nets, err := b.cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	var used []usedNet
	for _, n := range nets {
		for _, c := range n.IPAM.Config {
			if _, ipn, err := net.ParseCIDR(c.Subnet); err == nil {
				used = append(used, usedNet{Net: ipn, By: "docker network " + n.Name})
			}
		}
	}
	if b.localDaemon() {
		used = append(used, hostRoutes()...)
		used = append(used, interfaceNets()...)
	}
	return used, nil
}

func (b *Backend) removeNetwork(ctx context.Context, project string, r engine.Resource) error {
	id := r.ID
	if id == "" {
		id = NetworkName(project, r.Name)
	}
	if strings.Contains(r.Name, " (duplicate ") && r.ID != "" {
		// A container on both copies keeps the other; one only on this
		// copy was observed as drifting and is replaced before this runs.
		if n, err := b.cli.NetworkInspect(ctx, r.ID, network.InspectOptions{}); err == nil {
			for cid := range n.Containers {
				_ = b.cli.NetworkDisconnect(ctx, r.ID, cid, true)
			}
		}
	}
	if err := b.cli.NetworkRemove(ctx, id); err != nil && !notFound(err) {
		return fmt.Errorf("docker: remove network %q: %w", NetworkName(project, r.Name), err)
	}
	return nil
}

// localDaemon reports whether the daemon runs on this machine, so host
// ports, routes and paths seen here are the daemon's.
func (b *Backend) localDaemon() bool {
	h := b.cli.DaemonHost()
	switch {
	case strings.HasPrefix(h, "unix://"), strings.HasPrefix(h, "npipe://"):
		return true
	case strings.HasPrefix(h, "tcp://127."), strings.HasPrefix(h, "tcp://localhost"), strings.HasPrefix(h, "tcp://[::1]"):
		return true
	}
	return false
}

package docker

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/docker/docker/api/types/network"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/proxy"
	"github.com/devbox-dev/devbox/tools"
)

// Build networks are where build containers run when Docker's default
// bridge will not do: when a proxy on the host's loopback is brought in,
// and always under noNAT (tests). Like the cache images they are shared
// devbox objects (no project label): made on first need, kept, reused by
// every project's builds; `docker network prune` removes them when unused
// and the next build makes them again.
const (
	// BuildNetwork is a bridge with NAT: the reach a build has on the
	// default bridge (no_proxy hosts, a proxy elsewhere on the LAN), plus
	// the forwarded loopback proxy. Used when some proxy is not on the
	// loopback.
	BuildNetwork = "devbox-build"
	// BuildNetworkNoNAT is internal: no way out but the forwarded proxy.
	// Used when every proxy is on the loopback (all traffic goes through
	// it, as with a local squid or cntlm), and always under noNAT.
	BuildNetworkNoNAT = "devbox-build-nonat"

	kindBuildNetwork = "build-network" // its dev.devbox.kind label
)

// stepNet is how a build's steps reach the network: their containers'
// network ("" is the default bridge), the proxy variables given to each
// step's process (never to the container's config, which a commit keeps),
// and the forwarders to close when the build ends.
type stepNet struct {
	network string
	env     []string
	fwds    []*forwarder
}

// Close stops the forwarders.
func (t *stepNet) Close() {
	for _, f := range t.fwds {
		f.Close()
	}
}

// stepTransport readies the build's reach of px. A proxy on the host's
// loopback is served by a forwarder on a build network's gateway and the
// settings rewritten to it; other proxies are passed as they are.
func (b *Backend) stepTransport(ctx context.Context, px proxy.Settings, ev engine.Ref, p engine.Progress) (*stepNet, error) {
	loop := px.Loopback()
	if len(loop) > 0 && !b.localDaemon() {
		p(engine.Event{Ref: ev, Status: fmt.Sprintf("proxy %s is on this machine's loopback, out of reach of the Docker daemon at %s; building without it",
			strings.Join(loop, ", "), b.cli.DaemonHost())})
		px, loop = withoutLoopback(px), nil
	}
	t := &stepNet{}
	if len(loop) > 0 || b.noNAT {
		bn, err := b.buildNetwork(ctx, b.noNAT || px.OnlyLoopback(), ev, p)
		if err != nil {
			return nil, err
		}
		t.network = bn.name
		to := map[string]string{}
		for _, hp := range loop {
			f, err := forward(bn.gateway, bn.subnet, hp)
			if err != nil {
				t.Close()
				return nil, fmt.Errorf("docker: proxy %s: %w", hp, err)
			}
			t.fwds = append(t.fwds, f)
			to[hp] = f.Addr()
		}
		px = px.Rewrite(func(hp string) string { return to[hp] })
	}
	t.env = tools.List(px.Environ())
	return t, nil
}

// withoutLoopback drops the proxies on the loopback.
func withoutLoopback(s proxy.Settings) proxy.Settings {
	drop := func(v string) string {
		if len(proxy.Settings{HTTP: v}.Loopback()) > 0 {
			return ""
		}
		return v
	}
	return proxy.Settings{HTTP: drop(s.HTTP), HTTPS: drop(s.HTTPS), NoProxy: s.NoProxy}
}

// buildNet is a build network as found or made.
type buildNet struct {
	name    string
	gateway net.IP // the host's address on it
	subnet  *net.IPNet
}

// buildNetwork returns the build network, making it when there is none.
// Another devbox may make it meanwhile (a create then fails on the name
// or the subnet): look again.
func (b *Backend) buildNetwork(ctx context.Context, internal bool, ev engine.Ref, p engine.Progress) (buildNet, error) {
	name := BuildNetwork
	if internal {
		name = BuildNetworkNoNAT
	}
	b.netMu.Lock()
	defer b.netMu.Unlock()
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		bn, found, err := b.inspectBuildNetwork(ctx, name)
		if found || err != nil {
			return bn, err
		}
		if lastErr = b.createBuildNetwork(ctx, name, internal, ev, p); lastErr == nil {
			continue
		}
		if s := lastErr.Error(); !strings.Contains(s, "overlap") && !strings.Contains(s, "already exists") {
			break
		}
	}
	return buildNet{}, fmt.Errorf("docker: build network %s: %w", name, lastErr)
}

func (b *Backend) inspectBuildNetwork(ctx context.Context, name string) (buildNet, bool, error) {
	n, err := b.cli.NetworkInspect(ctx, name, network.InspectOptions{})
	if notFound(err) {
		return buildNet{}, false, nil
	} else if err != nil {
		return buildNet{}, false, fmt.Errorf("docker: inspect build network %s: %w", name, err)
	}
	if n.Labels[LabelKind] != kindBuildNetwork || len(n.IPAM.Config) == 0 {
		return buildNet{}, false, fmt.Errorf("docker: a network named %s exists that devbox did not make; remove it (docker network rm %s)", name, name)
	}
	c := n.IPAM.Config[0]
	_, subnet, err := net.ParseCIDR(c.Subnet)
	if err != nil {
		return buildNet{}, false, fmt.Errorf("docker: build network %s: subnet %q: %w", name, c.Subnet, err)
	}
	gw := net.ParseIP(c.Gateway)
	if gw == nil {
		gw = firstHost(subnet)
	}
	return buildNet{name: n.Name, gateway: gw, subnet: subnet}, true, nil
}

func (b *Backend) createBuildNetwork(ctx context.Context, name string, internal bool, ev engine.Ref, p engine.Progress) error {
	used, err := b.usedSubnets(ctx)
	if err != nil {
		return err
	}
	subnet, err := pickSubnet(used)
	if err != nil {
		return err
	}
	p(engine.Event{Ref: ev, Status: "creating build network " + name + " " + subnet.String()})
	_, err = b.cli.NetworkCreate(ctx, name, network.CreateOptions{
		Driver:   "bridge",
		Internal: internal,
		IPAM: &network.IPAM{Driver: "default", Config: []network.IPAMConfig{{
			Subnet: subnet.String(), Gateway: firstHost(subnet).String(),
		}}},
		Labels: map[string]string{LabelKind: kindBuildNetwork, LabelName: name, LabelVersion: b.Version},
	})
	return err
}

// firstHost is a subnet's .1, Docker's default gateway.
func firstHost(n *net.IPNet) net.IP {
	v4 := n.IP.To4()
	if v4 == nil {
		return nil
	}
	ip := append(net.IP{}, v4...)
	ip[3]++
	return ip
}

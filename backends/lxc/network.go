package lxc

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// createNetwork makes the managed bridge of a nat or isolated network, with
// the given subnet or a free one. A bridged network has no Incus object:
// its parent is checked and the instance gets a NIC on it.
func (b *Backend) createNetwork(ctx context.Context, env *envfile.Environment, r engine.Resource) error {
	n := network(env, r.Name)
	if n == nil {
		return fmt.Errorf("lxc: network %q is not in the file", r.Name)
	}
	if n.Mode == envfile.NetworkBridged {
		return b.checkParent(*n)
	}
	name := NetworkName(env.Project, n.Name)
	b.netMu.Lock() // parallel picks must not choose the same subnet
	defer b.netMu.Unlock()
	if old, _, err := b.c.GetNetwork(name); err == nil && old.Managed {
		// Left over (a failed up, or a changed network being replaced).
		if err := b.c.DeleteNetwork(name); err != nil {
			return fmt.Errorf("lxc: replace network %q: %w", name, err)
		}
	}
	var subnet *net.IPNet
	if n.Subnet != "" {
		if err := b.checkSubnet(ctx, env.Project, *n); err != nil {
			return err
		}
		_, subnet, _ = net.ParseCIDR(n.Subnet)
	} else {
		taken, err := b.takenSubnets(ctx, name)
		if err != nil {
			return err
		}
		if subnet, err = pickSubnet(name, taken); err != nil {
			return err
		}
	}
	nat := n.Mode == envfile.NetworkNAT && !b.noNAT
	req := api.NetworksPost{Name: name, Type: "bridge", NetworkPut: api.NetworkPut{
		Description: fmt.Sprintf("devbox %s network %s (%s)", env.Project, n.Name, n.Mode),
		Config: map[string]string{
			"ipv4.address": gateway(subnet),
			"ipv4.nat":     fmt.Sprint(nat),
			"ipv6.address": "none",
			keyProject:     env.Project,
			keyName:        n.Name,
			keyHash:        r.Hash,
		},
	}}
	if !nat {
		// Nothing beyond the bridge is reachable (isolated, or a test's
		// bridge): answer names locally instead of forwarding, so lookups
		// fail fast rather than wait for the resolver's timeout, and none
		// leaves the machine.
		req.Config["raw.dnsmasq"] = "no-resolv"
	}
	if err := b.createBridge(ctx, req); err != nil {
		return fmt.Errorf("lxc: create network %q (%s, %s): %w", n.Name, name, subnet, err)
	}
	return nil
}

// createBridge creates a network, trying again while incusd fails on the
// link race (linkRace).
func (b *Backend) createBridge(ctx context.Context, req api.NetworksPost) error {
	return retryLinkRace(ctx, func(retry bool) error {
		if retry {
			_ = b.c.DeleteNetwork(req.Name) // what the failed create left, if anything
		}
		return b.c.CreateNetwork(req)
	})
}

// linkRace reports incusd failing because a host interface vanished while
// it looked at every interface for the bridge's children (containers of
// other engines come and go); trying again is the cure.
func linkRace(err error) bool {
	return strings.Contains(err.Error(), "bridge children interfaces")
}

// retryLinkRace runs f until it does not fail with linkRace, for up to
// ~5 s: each try fails only if an interface vanishes during incusd's
// listing, so under heavy churn (another engine's containers starting and
// stopping) more, quicker tries beat a few slow ones.
func retryLinkRace(ctx context.Context, f func(retry bool) error) error {
	err := f(false)
	for try := 1; err != nil && linkRace(err) && try < 25 && ctx.Err() == nil; try++ {
		time.Sleep(time.Duration(min(try, 4)) * 50 * time.Millisecond)
		err = f(true)
	}
	return err
}

func (b *Backend) removeNetwork(ctx context.Context, r engine.Resource) error {
	if strings.HasPrefix(r.ID, "nic:") {
		return nil // bridged: the NIC went with the instance
	}
	// incusd lists every bridge's children while deleting one; a bridge
	// vanishing under a parallel delete fails that listing. One at a time.
	b.netMu.Lock()
	defer b.netMu.Unlock()
	err := retryLinkRace(ctx, func(bool) error { return b.c.DeleteNetwork(r.ID) })
	if err != nil && !api.StatusErrorCheck(err, 404) {
		return fmt.Errorf("lxc: remove network %q (%s): %w", r.Name, r.ID, err)
	}
	return nil
}

// nicDevices returns the instance's NICs, one per network, named ethN from
// first on, in file order.
func (b *Backend) nicDevices(env *envfile.Environment, first int) (map[string]map[string]string, map[string]string, error) {
	devs := map[string]map[string]string{}
	labels := map[string]string{}
	for i, n := range networks(env) {
		d := map[string]string{"type": "nic", "name": fmt.Sprintf("eth%d", first+i)}
		switch n.Mode {
		case envfile.NetworkBridged:
			parent, _, err := b.c.GetNetwork(n.Parent)
			if err != nil {
				return nil, nil, b.checkParent(n)
			}
			d["parent"] = n.Parent
			d["nictype"] = "macvlan"
			if parent.Type == "bridge" {
				d["nictype"] = "bridged"
			}
			labels[keyBridged+n.Name] = networkHash(n)
		default:
			d["network"] = NetworkName(env.Project, n.Name)
			if n.Address != "" {
				d["ipv4.address"] = strings.SplitN(n.Address, "/", 2)[0]
			}
		}
		devs["net-"+n.Name] = d
	}
	return devs, labels, nil
}

// staticAddresses configures the static address of bridged networks in
// the instance (systemd-networkd); managed bridges hand theirs out by DHCP.
func (b *Backend) staticAddresses(ctx context.Context, env *envfile.Environment, inst string, devices map[string]map[string]string) error {
	for _, n := range networks(env) {
		if n.Mode != envfile.NetworkBridged || n.Address == "" {
			continue
		}
		addr := n.Address
		if !strings.Contains(addr, "/") {
			addr += "/24"
		}
		nic := devices["net-"+n.Name]["name"]
		conf := fmt.Sprintf("[Match]\nName=%s\n\n[Network]\nAddress=%s\nDHCP=no\n", nic, addr)
		script := `printf '%b' "$2" >/etc/systemd/network/10-devbox-$1.network && systemctl restart systemd-networkd`
		if _, err := b.output(ctx, inst, "/bin/sh", "-c", script, "sh", nic, conf); err != nil {
			return fmt.Errorf("lxc: network %q: set address %s in %q: %w", n.Name, addr, inst, err)
		}
	}
	return nil
}

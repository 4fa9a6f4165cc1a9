package lxc

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/subnet"
)

// autoRange is where devbox auto-picks Incus bridge subnets.
func autoRange() subnet.Range {
	return subnet.Range{First: netip.AddrFrom4([4]byte{10, 201, 0, 0}), Last: netip.AddrFrom4([4]byte{10, 254, 255, 0})}
}

// pickSubnet returns the first /24 of autoRange, starting at a place
// derived from seed (so projects spread out and a rebuilt network tends to
// get its old subnet back), that overlaps none of taken. It is pure.
func pickSubnet(seed string, taken []*net.IPNet) (*net.IPNet, error) {
	h, _ := strconv.ParseUint(engine.Hash(seed)[:8], 16, 64)
	n, err := subnet.Pick(autoRange(), h, subnet.Unnamed(taken, "in use"))
	if err != nil {
		return nil, fmt.Errorf("lxc: %w; remove unused networks (incus network list, incus network delete NAME) or set subnet on the network", err)
	}
	return n, nil
}

// gateway is the bridge address of subnet: its first host, with the prefix.
func gateway(n *net.IPNet) string {
	ip := make(net.IP, 4)
	binary.BigEndian.PutUint32(ip, binary.BigEndian.Uint32(n.IP.To4())+1)
	ones, _ := n.Mask.Size()
	return fmt.Sprintf("%s/%d", ip, ones)
}

// takenSubnets is usedSubnets without the owners, for pickSubnet.
func (b *Backend) takenSubnets(ctx context.Context, skip string) ([]*net.IPNet, error) {
	used, err := b.usedSubnets(ctx, skip)
	return subnet.Nets(used), err
}

// usedSubnets lists the IPv4 prefixes in use and by what: every Incus
// network's ipv4.address and every address on the server's interfaces,
// the host's routes when the server is local, and the special ranges.
// skip is an Incus network to ignore (the one being checked, when it
// exists already).
func (b *Backend) usedSubnets(ctx context.Context, skip string) ([]subnet.Taken, error) {
	var out []subnet.Taken
	nets, err := b.c.GetNetworks()
	if err != nil {
		return nil, fmt.Errorf("lxc: list networks: %w", err)
	}
	for _, n := range nets {
		if n.Name == skip {
			continue
		}
		if a := n.Config["ipv4.address"]; a != "" && a != "none" && a != "auto" {
			if _, p, err := net.ParseCIDR(a); err == nil {
				out = append(out, subnet.Taken{Net: p, By: "incus network " + n.Name})
			}
		}
		if n.Managed {
			continue // its state shows the same address
		}
		st, err := b.c.GetNetworkState(n.Name)
		if err != nil {
			continue
		}
		for _, a := range st.Addresses {
			if a.Family != "inet" || a.Scope == "local" {
				continue
			}
			if _, p, err := net.ParseCIDR(a.Address + "/" + a.Netmask); err == nil {
				out = append(out, subnet.Taken{Net: p, By: "address on " + n.Name})
			}
		}
	}
	if b.remote == "local" {
		for _, r := range hostTaken() {
			// A managed bridge's interface has its network's name: the
			// skipped network's own route is not a clash either.
			if skip == "" || r.By != "host route on "+skip {
				out = append(out, r)
			}
		}
	}
	return append(out, specialNets()...), nil
}

// specialNets are the IPv4 ranges no bridge may use.
func specialNets() []subnet.Taken {
	var out []subnet.Taken
	for _, s := range []struct{ cidr, by string }{
		{"127.0.0.0/8", "loopback"}, {"169.254.0.0/16", "link-local"},
		{"224.0.0.0/4", "multicast"}, {"0.0.0.0/8", "this network"},
	} {
		_, n, _ := net.ParseCIDR(s.cidr)
		out = append(out, subnet.Taken{Net: n, By: s.by})
	}
	return out
}

// hostTaken reads the host's IPv4 routing table (not the default route).
func hostTaken() []subnet.Taken {
	table, err := os.ReadFile("/proc/net/route")
	if err != nil {
		return nil
	}
	return subnet.ParseRoutes(table)
}

// hostRoutes is hostTaken's prefixes.
func hostRoutes() []*net.IPNet { return subnet.Nets(hostTaken()) }

// checkSubnet rejects a given subnet that is malformed or clashes with a
// host route or another Incus network.
func (b *Backend) checkSubnet(ctx context.Context, project string, n envfile.Network) error {
	want, err := parseSubnet(n)
	if err != nil {
		return err
	}
	used, err := b.usedSubnets(ctx, NetworkName(project, n.Name))
	if err != nil {
		return err
	}
	return clashError(n, want, used)
}

// parseSubnet reads a network's given subnet, which must be IPv4.
func parseSubnet(n envfile.Network) (*net.IPNet, error) {
	_, want, err := net.ParseCIDR(n.Subnet)
	if err != nil || want.IP.To4() == nil {
		return nil, fmt.Errorf("lxc: network %q: subnet %q is not an IPv4 CIDR like 10.10.0.0/24", n.Name, n.Subnet)
	}
	return want, nil
}

// clashError says which of used the network's subnet want clashes with,
// and how to fix it; nil when it clashes with none.
func clashError(n envfile.Network, want *net.IPNet, used []subnet.Taken) error {
	u := subnet.Clash(want, used)
	if u == nil {
		return nil
	}
	return fmt.Errorf("lxc: network %q: subnet %s overlaps %s; pick another subnet or leave it empty to auto-pick", n.Name, want, u)
}

// checkParent makes sure a bridged network's parent exists on the server,
// listing what there is when it does not.
func (b *Backend) checkParent(n envfile.Network) error {
	if _, _, err := b.c.GetNetwork(n.Parent); err == nil {
		return nil
	}
	var names []string
	if nets, err := b.c.GetNetworks(); err == nil {
		for _, x := range nets {
			if x.Type != "loopback" {
				names = append(names, x.Name+" ("+x.Type+")")
			}
		}
	}
	return fmt.Errorf("lxc: network %q: parent interface %q does not exist on the host; it has: %s", n.Name, n.Parent, strings.Join(names, ", "))
}

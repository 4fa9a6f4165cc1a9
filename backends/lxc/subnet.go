package lxc

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// pickSubnet returns the first /24 in 10.201.0.0–10.254.255.0, starting at a
// place derived from seed, that overlaps none of taken. It is pure.
func pickSubnet(seed string, taken []*net.IPNet) (*net.IPNet, error) {
	const first, count = 201 << 8, 54 << 8 // 10.201.0.0/24 … 10.254.255.0/24
	h, _ := strconv.ParseUint(engine.Hash(seed)[:8], 16, 64)
	start := int(h % count)
	for i := 0; i < count; i++ {
		n := first + (start+i)%count
		cand := &net.IPNet{IP: net.IPv4(10, byte(n>>8), byte(n), 0).To4(), Mask: net.CIDRMask(24, 32)}
		if !clashes(cand, taken) {
			return cand, nil
		}
	}
	return nil, fmt.Errorf("lxc: no free /24 left in 10.201.0.0-10.254.255.0")
}

func clashes(n *net.IPNet, taken []*net.IPNet) bool {
	for _, t := range taken {
		if overlap(n, t) {
			return true
		}
	}
	return false
}

func overlap(a, b *net.IPNet) bool { return a.Contains(b.IP) || b.Contains(a.IP) }

// gateway is the bridge address of subnet: its first host, with the prefix.
func gateway(n *net.IPNet) string {
	ip := make(net.IP, 4)
	binary.BigEndian.PutUint32(ip, binary.BigEndian.Uint32(n.IP.To4())+1)
	ones, _ := n.Mask.Size()
	return fmt.Sprintf("%s/%d", ip, ones)
}

// takenSubnets lists the IPv4 prefixes in use: every Incus network's
// ipv4.address and every address on the server's interfaces, and, when the
// server is local, the host's routes. skip is an Incus network to ignore
// (the one being checked, when it exists already).
func (b *Backend) takenSubnets(ctx context.Context, skip string) ([]*net.IPNet, error) {
	var out []*net.IPNet
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
				out = append(out, p)
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
				out = append(out, p)
			}
		}
	}
	if b.remote == "local" {
		out = append(out, hostRoutes()...)
	}
	for _, special := range []string{"127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "0.0.0.0/8"} {
		_, n, _ := net.ParseCIDR(special)
		out = append(out, n)
	}
	return out, nil
}

// hostRoutes reads the IPv4 routing table (not the default route).
func hostRoutes() []*net.IPNet {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []*net.IPNet
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 8 {
			continue
		}
		dst, err1 := strconv.ParseUint(fs[1], 16, 32)
		mask, err2 := strconv.ParseUint(fs[7], 16, 32)
		if err1 != nil || err2 != nil || mask == 0 {
			continue
		}
		ip, m := make(net.IP, 4), make(net.IPMask, 4)
		binary.LittleEndian.PutUint32(ip, uint32(dst))
		binary.LittleEndian.PutUint32(m, uint32(mask))
		out = append(out, &net.IPNet{IP: ip, Mask: m})
	}
	return out
}

// checkSubnet rejects a given subnet that is malformed or clashes with a
// host route or another Incus network.
func (b *Backend) checkSubnet(ctx context.Context, project string, n envfile.Network) error {
	_, want, err := net.ParseCIDR(n.Subnet)
	if err != nil || want.IP.To4() == nil {
		return fmt.Errorf("lxc: network %q: subnet %q is not an IPv4 CIDR like 10.10.0.0/24", n.Name, n.Subnet)
	}
	taken, err := b.takenSubnets(ctx, NetworkName(project, n.Name))
	if err != nil {
		return err
	}
	for _, t := range taken {
		if overlap(want, t) {
			return fmt.Errorf("lxc: network %q: subnet %s clashes with %s, already in use on the host; pick another subnet or leave it out", n.Name, want, t)
		}
	}
	return nil
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

package docker

import (
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/devbox-dev/devbox/internal/subnet"
)

// usedNet is a subnet already taken, and by what, for error messages.
type usedNet = subnet.Taken

// autoRange is where devbox auto-picks Docker subnets: clear of Docker's
// own pool (172.17.0.0/16 onwards, 192.168.0.0/16).
func autoRange() subnet.Range {
	return subnet.Range{First: netip.AddrFrom4([4]byte{10, 200, 0, 0}), Last: netip.AddrFrom4([4]byte{10, 254, 255, 0})}
}

// pickSubnet returns the lowest /24 of autoRange that overlaps none of
// used. It is pure, for tests.
func pickSubnet(used []usedNet) (*net.IPNet, error) {
	n, err := subnet.Pick(autoRange(), 0, used)
	if err != nil {
		return nil, fmt.Errorf("docker: %w; remove unused networks (docker network prune) or set subnet on the network", err)
	}
	return n, nil
}

// clash returns the first used subnet that overlaps n, or nil.
func clash(n *net.IPNet, used []usedNet) *usedNet { return subnet.Clash(n, used) }

// hostRoutes reads the IPv4 routes of this machine (Linux); the daemon is
// normally local, so its networks share them. Without /proc there are none.
func hostRoutes() []usedNet {
	table, err := os.ReadFile("/proc/net/route")
	if err != nil {
		return nil
	}
	return subnet.ParseRoutes(table)
}

// interfaceNets lists the subnets of this machine's addresses.
func interfaceNets() []usedNet {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []usedNet
	for _, i := range ifs {
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
				out = append(out, usedNet{Net: &net.IPNet{IP: n.IP.Mask(n.Mask), Mask: n.Mask}, By: "address on " + i.Name})
			}
		}
	}
	return out
}

package docker

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// usedNet is a subnet already taken, and by what, for error messages.
type usedNet struct {
	Net *net.IPNet
	By  string
}

// pickSubnet returns the first /24 in 10.200.0.0 – 10.254.255.0 that
// overlaps none of used. It is pure, for tests.
func pickSubnet(used []usedNet) (*net.IPNet, error) {
	for second := 200; second <= 254; second++ {
		for third := 0; third <= 255; third++ {
			cand := &net.IPNet{IP: net.IPv4(10, byte(second), byte(third), 0).To4(), Mask: net.CIDRMask(24, 32)}
			if clash(cand, used) == nil {
				return cand, nil
			}
		}
	}
	return nil, fmt.Errorf("docker: no free /24 subnet in 10.200.0.0/16 – 10.254.0.0/16; remove unused networks (docker network prune) or set subnet on the network")
}

// clash returns the first used subnet that overlaps n, or nil.
func clash(n *net.IPNet, used []usedNet) *usedNet {
	for i := range used {
		u := &used[i]
		if u.Net == nil {
			continue
		}
		if ones, _ := u.Net.Mask.Size(); ones == 0 {
			continue // a default route covers everything and clashes with nothing
		}
		if u.Net.Contains(n.IP) || n.Contains(u.Net.IP) {
			return u
		}
	}
	return nil
}

// hostRoutes reads the IPv4 routes of this machine from /proc/net/route
// (Linux); the daemon is normally local, so its networks share them.
func hostRoutes() []usedNet {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return nil
	}
	defer f.Close()
	return parseRoutes(f)
}

// parseRoutes parses the /proc/net/route format: Iface Destination Gateway
// Flags RefCnt Use Metric Mask ..., addresses as little-endian hex.
func parseRoutes(f interface{ Read([]byte) (int, error) }) []usedNet {
	var out []usedNet
	sc := bufio.NewScanner(f)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		fs := strings.Fields(sc.Text())
		if len(fs) < 8 {
			continue
		}
		dst, err1 := strconv.ParseUint(fs[1], 16, 32)
		mask, err2 := strconv.ParseUint(fs[7], 16, 32)
		if err1 != nil || err2 != nil || mask == 0 {
			continue
		}
		ip := make(net.IP, 4)
		binary.LittleEndian.PutUint32(ip, uint32(dst))
		m := make(net.IPMask, 4)
		binary.LittleEndian.PutUint32(m, uint32(mask))
		out = append(out, usedNet{Net: &net.IPNet{IP: ip, Mask: m}, By: "host route on " + fs[0]})
	}
	return out
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

package lxc

import (
	"net"
	"strings"
	"testing"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/subnet"
	"github.com/devbox-dev/devbox/internal/testenv"
)

func mustCIDR(t *testing.T, s string) *net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSubnetPickRangeAndSeed checks lxc's parameters of the shared picker:
// its range, a start that depends on the seed only, and its error.
func TestSubnetPickRangeAndSeed(t *testing.T) {
	seen := map[string]bool{}
	for _, seed := range []string{"devbox-a-lan", "devbox-b-lan", "devbox-c-default", "x"} {
		n, err := pickSubnet(seed, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ip := n.IP.To4(); ip[0] != 10 || ip[1] < 201 || ip[1] > 254 || ip[3] != 0 || n.String() != n.IP.String()+"/24" {
			t.Errorf("seed %q: picked %s, outside 10.201.0.0/24 – 10.254.255.0/24", seed, n)
		}
		if again, _ := pickSubnet(seed, nil); again.String() != n.String() {
			t.Errorf("seed %q: picked %s, then %s", seed, n, again)
		}
		seen[n.String()] = true
	}
	if len(seen) < 2 {
		t.Errorf("four seeds all picked %v: the seed does not spread the picks", seen)
	}
	_, err := pickSubnet("x", []*net.IPNet{mustCIDR(t, "10.192.0.0/10")})
	if err == nil || !strings.HasPrefix(err.Error(), "lxc: no free /24 subnet in 10.201.0.0/24 – 10.254.255.0/24") ||
		!strings.Contains(err.Error(), "set subnet on the network") {
		t.Errorf("all taken: %v, want lxc's no-free error with its fix", err)
	}
}

func TestSubnetClashError(t *testing.T) {
	used := append([]subnet.Taken{
		{Net: mustCIDR(t, "10.77.0.0/16"), By: "incus network devbox-other-lan"},
		{Net: mustCIDR(t, "192.168.5.0/24"), By: "host route on eth0"},
	}, specialNets()...)
	lan := func(s string) envfile.Network {
		return envfile.Network{Name: "lan", Mode: envfile.NetworkIsolated, Subnet: s}
	}
	for _, tc := range []struct {
		subnet, want string // want "" is no error
	}{
		{"10.77.3.0/24", `lxc: network "lan": subnet 10.77.3.0/24 overlaps 10.77.0.0/16 (incus network devbox-other-lan); pick another subnet or leave it empty to auto-pick`},
		{"192.168.0.0/16", "overlaps 192.168.5.0/24 (host route on eth0)"},
		{"127.1.0.0/24", "overlaps 127.0.0.0/8 (loopback)"},
		{"10.78.0.0/24", ""},
		{"10.77.0.0/33", `subnet "10.77.0.0/33" is not an IPv4 CIDR`},
		{"fd00::/64", `subnet "fd00::/64" is not an IPv4 CIDR`},
	} {
		want, err := parseSubnet(lan(tc.subnet))
		if err == nil {
			err = clashError(lan(tc.subnet), want, used)
		}
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want no error", tc.subnet, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.subnet, err, tc.want)
		}
	}
}

// TestSubnetClashWithIncusNetwork: against the real daemon, a subnet that
// overlaps another Incus bridge is refused, naming that bridge; the bridge
// itself (skipped as the one being checked) is not a clash.
func TestSubnetClashWithIncusNetwork(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	project := testenv.Project(t, "snet")
	name := NetworkName(project, "lan")
	b.netMu.Lock()
	taken, err := b.takenSubnets(ctx, "")
	if err != nil {
		b.netMu.Unlock()
		t.Fatal(err)
	}
	free, err := pickSubnet(name, taken)
	if err == nil {
		// As the backend's own network create: incusd's listing of the
		// bridges' children fails when another test's interface vanishes.
		err = b.createBridge(ctx, api.NetworksPost{Name: name, Type: "bridge", NetworkPut: api.NetworkPut{
			Description: "devbox subnet test", Config: map[string]string{"ipv4.address": gateway(free), "ipv4.nat": "false", "ipv6.address": "none"},
		}})
	}
	b.netMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.c.DeleteNetwork(name) })

	other := envfile.Network{Name: "other", Mode: envfile.NetworkIsolated, Subnet: free.String()}
	err = b.checkSubnet(ctx, project, other)
	if err == nil || !strings.Contains(err.Error(), "subnet "+free.String()+" overlaps "+free.String()+" (incus network "+name+")") {
		t.Errorf("overlapping %s: %v, want a clash naming incus network %s", name, err, name)
	}
	if err := b.checkSubnet(ctx, project, envfile.Network{Name: "lan", Mode: envfile.NetworkIsolated, Subnet: free.String()}); err != nil {
		t.Errorf("the network's own subnet: %v", err)
	}
	used, err := b.usedSubnets(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if u := subnet.Clash(free, used); u == nil || u.By != "incus network "+name {
		t.Errorf("usedSubnets: %s is taken by %v, want incus network %s", free, u, name)
	}
}

package docker

import (
	"net"
	"strings"
	"testing"
)

func cidr(t *testing.T, s string) *net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPickSubnet checks docker's parameters of the shared picker (its
// range, lowest first) and its error; internal/subnet tests the picking.
func TestPickSubnet(t *testing.T) {
	for _, tc := range []struct {
		name string
		used []string
		want string // "" wants the no-free error
	}{
		{"empty", nil, "10.200.0.0/24"},
		{"skips taken and the default route", []string{"0.0.0.0/0", "10.200.0.0/24", "10.200.1.128/25", "10.200.2.0/23"}, "10.200.4.0/24"},
		{"next /16", []string{"10.200.0.0/16"}, "10.201.0.0/24"},
		{"last one", []string{"10.200.0.0/13", "10.208.0.0/12", "10.224.0.0/12", "10.240.0.0/13", "10.248.0.0/14", "10.252.0.0/15", "10.254.0.0/17",
			"10.254.128.0/18", "10.254.192.0/19", "10.254.224.0/20", "10.254.240.0/21", "10.254.248.0/22", "10.254.252.0/23", "10.254.254.0/24"}, "10.254.255.0/24"},
		{"all taken", []string{"10.0.0.0/8"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var used []usedNet
			for _, s := range tc.used {
				used = append(used, usedNet{Net: cidr(t, s), By: "test"})
			}
			n, err := pickSubnet(used)
			if tc.want == "" {
				if err == nil || !strings.HasPrefix(err.Error(), "docker: no free /24 subnet in 10.200.0.0/24 – 10.254.255.0/24") ||
					!strings.Contains(err.Error(), "docker network prune") {
					t.Fatalf("got %v, %v; want docker's no-free error with its fix", n, err)
				}
				return
			}
			if err != nil || n.String() != tc.want {
				t.Fatalf("got %v, %v; want %s", n, err, tc.want)
			}
		})
	}
}

func TestClash(t *testing.T) {
	used := []usedNet{{Net: cidr(t, "172.17.0.0/16"), By: "docker network bridge"}}
	if u := clash(cidr(t, "172.17.5.0/24"), used); u == nil || u.By != "docker network bridge" {
		t.Errorf("inside: %v", u)
	}
	if u := clash(cidr(t, "172.0.0.0/8"), used); u == nil {
		t.Error("containing: no clash")
	}
	if u := clash(cidr(t, "172.18.0.0/16"), used); u != nil {
		t.Errorf("disjoint: %v", u)
	}
}

// TestHostRoutes reads this machine's real route table: every route is
// named by its interface, and none is a default route.
func TestHostRoutes(t *testing.T) {
	rs := hostRoutes()
	if len(rs) == 0 {
		t.Skip("no /proc/net/route routes here")
	}
	for _, r := range rs {
		if ones, _ := r.Net.Mask.Size(); ones == 0 || !strings.HasPrefix(r.By, "host route on ") {
			t.Errorf("route %s", r)
		}
	}
}

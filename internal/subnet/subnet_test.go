package subnet

import (
	"net"
	"net/netip"
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

func rng(first, last string) Range {
	return Range{First: netip.MustParseAddr(first), Last: netip.MustParseAddr(last)}
}

func TestOverlap(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"10.1.0.0/24", "10.1.0.0/24", true},
		{"10.1.0.0/24", "10.1.0.128/25", true}, // b inside a
		{"10.1.0.128/25", "10.0.0.0/8", true},  // a inside b
		{"10.1.0.0/24", "10.1.1.0/24", false},  // neighbours
		{"10.1.0.0/23", "10.1.2.0/24", false},
		{"0.0.0.0/0", "192.168.1.0/24", true},
		{"10.1.0.0/24", "fd00::/8", false}, // families never overlap
	} {
		if got := Overlap(cidr(t, tc.a), cidr(t, tc.b)); got != tc.want {
			t.Errorf("Overlap(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := Overlap(cidr(t, tc.b), cidr(t, tc.a)); got != tc.want {
			t.Errorf("Overlap(%s, %s) = %v, want %v (not symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestClash(t *testing.T) {
	taken := []Taken{
		{Net: nil, By: "nothing"},
		{Net: cidr(t, "0.0.0.0/0"), By: "default route"},
		{Net: cidr(t, "172.17.0.0/16"), By: "docker network bridge"},
		{Net: cidr(t, "10.0.0.0/8"), By: "host route on eth0"},
	}
	for _, tc := range []struct {
		n, want string // want "" is no clash
	}{
		{"172.17.5.0/24", "172.17.0.0/16 (docker network bridge)"},
		{"172.0.0.0/8", "172.17.0.0/16 (docker network bridge)"}, // contains a taken one
		{"10.9.9.0/24", "10.0.0.0/8 (host route on eth0)"},
		{"172.18.0.0/16", ""}, // only the default route covers it
		{"192.168.0.0/16", ""},
	} {
		got := Clash(cidr(t, tc.n), taken)
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("Clash(%s) = %s, want none", tc.n, got)
		case tc.want != "" && (got == nil || got.String() != tc.want):
			t.Errorf("Clash(%s) = %v, want %s", tc.n, got, tc.want)
		}
	}
}

func TestPick(t *testing.T) {
	small := rng("10.9.0.0", "10.9.3.0") // four /24s
	for _, tc := range []struct {
		name  string
		r     Range
		start uint64
		taken []string
		want  string // "" wants an error
	}{
		{"empty", small, 0, nil, "10.9.0.0/24"},
		{"start", small, 2, nil, "10.9.2.0/24"},
		{"start wraps", small, 6, nil, "10.9.2.0/24"},
		{"skips taken", small, 0, []string{"10.9.0.0/24", "10.9.1.128/25"}, "10.9.2.0/24"},
		{"wraps past the end", small, 3, []string{"10.9.3.0/24"}, "10.9.0.0/24"},
		{"wider prefix", small, 0, []string{"10.9.0.0/23"}, "10.9.2.0/24"},
		{"default route ignored", small, 0, []string{"0.0.0.0/0"}, "10.9.0.0/24"},
		{"crosses an octet", rng("10.200.255.0", "10.201.0.0"), 0, []string{"10.200.255.0/24"}, "10.201.0.0/24"},
		{"all taken", small, 0, []string{"10.9.0.0/22"}, ""},
		{"bad range", rng("10.9.3.0", "10.9.0.0"), 0, nil, ""},
		{"ipv6 range", rng("fd00::", "fd00::1"), 0, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var taken []Taken
			for _, s := range tc.taken {
				taken = append(taken, Taken{Net: cidr(t, s), By: "test"})
			}
			got, err := Pick(tc.r, tc.start, taken)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("Pick = %s, want an error", got)
				}
				if !strings.Contains(err.Error(), tc.r.String()) {
					t.Errorf("error %q does not name the range %s", err, tc.r)
				}
				return
			}
			if err != nil || got.String() != tc.want {
				t.Fatalf("Pick = %v, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestParseRoutes(t *testing.T) {
	table := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" + // default route
		"eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" +
		"br0\t0000110A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n" +
		"short\t0000110A\n" +
		"bad\tZZZZZZZZ\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"table", table, []string{"192.168.2.0/24 (host route on eth0)", "10.17.0.0/16 (host route on br0)"}},
		{"header only", "Iface\tDestination\n", nil},
		{"empty", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseRoutes([]byte(tc.in))
			if len(got) != len(tc.want) {
				t.Fatalf("ParseRoutes = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i].String() != tc.want[i] {
					t.Errorf("route %d = %s, want %s", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestNetsAndUnnamed(t *testing.T) {
	nets := []*net.IPNet{cidr(t, "10.1.0.0/24"), cidr(t, "10.2.0.0/24")}
	taken := Unnamed(nets, "incus network")
	if len(taken) != 2 || taken[1].String() != "10.2.0.0/24 (incus network)" {
		t.Fatalf("Unnamed = %v", taken)
	}
	if back := Nets(taken); len(back) != 2 || back[0] != nets[0] || back[1] != nets[1] {
		t.Errorf("Nets = %v, want %v", back, nets)
	}
}

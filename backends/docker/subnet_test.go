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

func TestPickSubnet(t *testing.T) {
	n, err := pickSubnet(nil)
	if err != nil || n.String() != "10.200.0.0/24" {
		t.Fatalf("empty: %v %v", n, err)
	}
	used := []usedNet{
		{Net: cidr(t, "0.0.0.0/0"), By: "default route"},
		{Net: cidr(t, "10.200.0.0/24")},
		{Net: cidr(t, "10.200.1.128/25")},
		{Net: cidr(t, "10.200.2.0/23")},
	}
	n, err = pickSubnet(used)
	if err != nil || n.String() != "10.200.4.0/24" {
		t.Fatalf("got %v %v, want 10.200.4.0/24", n, err)
	}
	n, err = pickSubnet([]usedNet{{Net: cidr(t, "10.0.0.0/8")}})
	if err == nil || !strings.Contains(err.Error(), "no free") {
		t.Fatalf("10/8 taken: %v %v", n, err)
	}
	n, err = pickSubnet([]usedNet{{Net: cidr(t, "10.200.0.0/16")}})
	if err != nil || n.String() != "10.201.0.0/24" {
		t.Fatalf("got %v %v", n, err)
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

func TestParseRoutes(t *testing.T) {
	in := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
		"eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	rs := parseRoutes(strings.NewReader(in))
	if len(rs) != 1 || rs[0].Net.String() != "192.168.2.0/24" || rs[0].By != "host route on eth0" {
		t.Fatalf("%+v", rs)
	}
}

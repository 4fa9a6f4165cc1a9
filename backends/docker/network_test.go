package docker

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/network"

	"github.com/devbox-dev/devbox/envfile"
)

// TestNetworkModesAndSubnets: nat and isolated networks get auto-picked
// subnets that clash with no other network; isolated without forwarded
// ports is internal; a foreign network of the same name is an error.
func TestNetworkModesAndSubnets(t *testing.T) {
	b := newBackend(t)
	ctx := context.Background()
	p := project(t, b, "dknet")
	env := &envfile.Environment{Project: p, Image: debianImage,
		Networks: []envfile.Network{{Name: "front", Mode: envfile.NetworkNAT}, {Name: "back", Mode: envfile.NetworkIsolated}},
		Services: []envfile.Service{
			{Name: "a", Networks: []string{"front", "back"}},
			{Name: "b", Networks: []string{"back"}},
		}}
	mustUp(t, b, env)
	all, err := b.cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var mine []*net.IPNet
	var others []usedNet
	for _, n := range all {
		for _, c := range n.IPAM.Config {
			_, ipn, err := net.ParseCIDR(c.Subnet)
			if err != nil {
				continue
			}
			if n.Labels[LabelProject] == p {
				mine = append(mine, ipn)
				if n.Name == NetworkName(p, "back") && !n.Internal {
					t.Errorf("isolated network without port forwards is not internal")
				}
				if n.Name == NetworkName(p, "front") && n.Internal {
					t.Errorf("nat network is internal")
				}
			} else {
				others = append(others, usedNet{Net: ipn, By: n.Name})
			}
		}
	}
	if len(mine) != 2 {
		t.Fatalf("project subnets: %v", mine)
	}
	for _, m := range mine {
		if u := clash(m, others); u != nil {
			t.Errorf("%s clashes with %s", m, u.By)
		}
	}
	// a is on both networks and answers by name on each.
	if out, code := execOut(t, b, env, "b", "getent", "hosts", "a"); code != 0 || !strings.Contains(out, " a") {
		t.Errorf("b resolves a: %q %d", out, code)
	}
	if out, _ := execOut(t, b, env, "a", "sh", "-c", "ip -o -4 addr show | grep -vc ' lo '"); strings.TrimSpace(out) != "2" {
		t.Errorf("a has %s interfaces besides lo, want 2", out)
	}

	// A network of the same name devbox did not make.
	p2 := project(t, b, "dknet2")
	name := NetworkName(p2, DefaultNetwork)
	if _, err := b.cli.NetworkCreate(ctx, name, network.CreateOptions{Internal: true}); err != nil {
		t.Fatal(err)
	}
	defer b.cli.NetworkRemove(ctx, name)
	env2 := &envfile.Environment{Project: p2, Image: debianImage, Services: []envfile.Service{{Name: "x"}}}
	if _, err := up(t, b, env2); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("up over a foreign network: %v", err)
	}
}

package lxc

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// hostBridge makes a bridge with no uplink for the test.
func hostBridge(t *testing.T, name, addr string) {
	t.Helper()
	for _, args := range [][]string{
		{"link", "add", name, "type", "bridge"}, {"addr", "add", addr, "dev", name}, {"link", "set", name, "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", name).Run() })
}

func webEnv(project string) *envfile.Environment {
	return &envfile.Environment{Project: project, Image: "debian/12", Services: []envfile.Service{{
		Name: "web", Command: []string{"/bin/sh", "-c", "mkdir -p /tmp/w && echo hello >/tmp/w/index.html && exec busybox httpd -f -p 8080 -h /tmp/w"},
		Ports: []envfile.Port{{Name: "http", Port: 8080, Protocol: "tcp"}},
	}}}
}

func TestBridgedNetwork(t *testing.T) {
	b := newBackend(t)
	n := os.Getpid() % 200
	br := fmt.Sprintf("dbxt%d", os.Getpid()%100000)
	hostBridge(t, br, fmt.Sprintf("10.199.%d.1/24", n))
	env := webEnv(testenv.Project(t, "lxbr"))
	addr := fmt.Sprintf("10.199.%d.2", n)
	env.Networks = []envfile.Network{{Name: "office", Mode: "bridged", Parent: br, Address: addr + "/24"}}
	cleanup(t, b, env)
	up(t, b, env)

	// The host reaches the service over the bridge.
	var last error
	for i := 0; i < 50; i++ {
		c := http.Client{Timeout: time.Second}
		resp, err := c.Get("http://" + addr + ":8080/")
		if err == nil {
			resp.Body.Close()
			last = nil
			break
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	if last != nil {
		t.Errorf("service over the bridged network: %v", last)
	}
	// Re-up keeps it all: the bridged NIC is observed through the instance.
	if p := up(t, b, env); p.Changes() != 0 {
		t.Errorf("re-up: %v", ops(p))
	}
}

func TestBridgedMissingParent(t *testing.T) {
	b := newBackend(t)
	env := webEnv(testenv.Project(t, "lxnop"))
	env.Networks = []envfile.Network{{Name: "office", Mode: "bridged", Parent: "nosuchbr0"}}
	cleanup(t, b, env)
	err := tryUp(t, b, env)
	if err == nil || !strings.Contains(err.Error(), `parent interface "nosuchbr0" does not exist`) || !strings.Contains(err.Error(), "eth0") {
		t.Fatalf("err = %v", err)
	}
	nothingMade(t, b, env)
}

func TestIsolatedNetwork(t *testing.T) {
	b := newBackend(t)
	env := webEnv(testenv.Project(t, "lxiso"))
	env.Networks = []envfile.Network{{Name: "lan", Mode: "isolated"}, {Name: "wan", Mode: "nat"}}
	cleanup(t, b, env)
	up(t, b, env)
	ctx := testCtx(t)
	var subnets []string
	for _, n := range env.Networks {
		net, _, err := b.c.GetNetwork(NetworkName(env.Project, n.Name))
		if err != nil {
			t.Fatal(err)
		}
		if net.Config["ipv4.nat"] != "false" || net.Config["ipv6.address"] != "none" {
			t.Errorf("%s: %v", n.Name, net.Config)
		}
		subnets = append(subnets, net.Config["ipv4.address"])
	}
	if subnets[0] == subnets[1] {
		t.Errorf("two networks share %s", subnets[0])
	}
	st, err := b.Status(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].State != "running" {
		t.Errorf("status: %+v", st)
	}
	// Both NICs get an address by DHCP.
	deadline := time.Now().Add(30 * time.Second)
	for len(st[0].Addresses) < 2 && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		st, _ = b.Status(ctx, env)
	}
	if len(st[0].Addresses) < 2 {
		t.Errorf("addresses: %v (subnets %v)", st[0].Addresses, subnets)
	}
}

// tryUp runs up and returns its error.
func tryUp(t *testing.T, b *Backend, env *envfile.Environment) error {
	t.Helper()
	ctx := testCtx(t)
	desired, err := b.Desired(env)
	if err != nil {
		return err
	}
	observed, err := b.Observe(ctx, env.Project)
	if err != nil {
		t.Fatal(err)
	}
	p := engine.Up(env.Project, "lxc", desired, observed)
	if p.Changes() == 0 {
		return nil
	}
	// As the CLI's up does: preflight, then apply.
	if err := b.Preflight(ctx, env); err != nil {
		return err
	}
	return engine.Apply(ctx, b, env, p, nil)
}

// nothingMade fails when the project has any object.
func nothingMade(t *testing.T, b *Backend, env *envfile.Environment) {
	t.Helper()
	rs, err := b.Observe(testCtx(t), env.Project)
	if err != nil || len(rs) != 0 {
		t.Errorf("after a failed up: %v, %v", rs, err)
	}
	if _, _, err := b.c.GetInstance(InstanceName(env.Project)); err == nil {
		t.Errorf("instance %s exists", InstanceName(env.Project))
	}
}

// TestDefaultNetwork: a file without networks gets the project's default
// bridge (no NAT in tests); the instance has an IPv4 address on eth0 and
// status shows it; destroy removes the bridge.
func TestDefaultNetwork(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	env := webEnv(testenv.Project(t, "lxdef"))
	cleanup(t, b, env)
	up(t, b, env)
	bridge := NetworkName(env.Project, DefaultNetwork)
	n, _, err := b.c.GetNetwork(bridge)
	if err != nil {
		t.Fatalf("default network: %v", err)
	}
	if n.Config["ipv4.nat"] != "false" || n.Config[keyName] != DefaultNetwork {
		t.Errorf("bridge %s: %v", bridge, n.Config)
	}
	var addrs []string
	for deadline := time.Now().Add(30 * time.Second); len(addrs) == 0 && time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		st, err := b.Status(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		addrs = st[0].Addresses
	}
	_, subnet, _ := net.ParseCIDR(n.Config["ipv4.address"])
	if len(addrs) != 1 || subnet == nil || !subnet.Contains(net.ParseIP(addrs[0])) {
		t.Errorf("status addresses %v, want one in %s", addrs, n.Config["ipv4.address"])
	}
	out, err := b.output(ctx, InstanceName(env.Project), "ip", "-4", "-o", "addr", "show", "dev", "eth0")
	if err != nil || len(addrs) == 0 || !strings.Contains(out, " "+addrs[0]+"/") {
		t.Errorf("eth0: %q, %v", out, err)
	}
	if p := up(t, b, env); p.Changes() != 0 {
		t.Errorf("re-up: %v", ops(p))
	}
	destroy(t, b, env, true)
	if _, _, err := b.c.GetNetwork(bridge); !api.StatusErrorCheck(err, 404) {
		t.Errorf("bridge %s after destroy: %v", bridge, err)
	}
}

// TestNetworkCreateSurvivesLinkChurn: incusd looks at every host
// interface while it creates or deletes a bridge, and fails when one
// vanishes meanwhile (veth pairs of other engines' containers come and
// go: here veth pairs made and deleted in a loop); devbox
// tries again.
func TestNetworkCreateSurvivesLinkChurn(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	env := webEnv(testenv.Project(t, "lxchurn"))
	for i := 0; i < 6; i++ {
		env.Networks = append(env.Networks, envfile.Network{Name: fmt.Sprintf("n%d", i), Mode: "isolated"})
	}
	cleanup(t, b, env)
	stop := make(chan struct{})
	churned := make(chan int)
	go func() {
		n := 0
		name := fmt.Sprintf("dbxch%d", os.Getpid()%100000)
		for {
			select {
			case <-stop:
				_ = exec.Command("ip", "link", "del", name).Run()
				churned <- n
				return
			default:
			}
			_ = exec.Command("ip", "link", "add", name, "type", "veth", "peer", "name", name+"p").Run()
			_ = exec.Command("ip", "link", "del", name).Run()
			n++
		}
	}()
	var errs []error
	for _, n := range env.Networks {
		r := engine.Resource{Kind: engine.KindNetwork, Name: n.Name, Hash: networkHash(n)}
		if err := b.Create(ctx, env, r, nil); err != nil {
			errs = append(errs, err)
		}
		if err := b.Remove(ctx, env, engine.Resource{Kind: engine.KindNetwork, Name: n.Name, ID: NetworkName(env.Project, n.Name)}, nil); err != nil {
			errs = append(errs, err)
		}
	}
	close(stop)
	t.Logf("%d interfaces came and went", <-churned)
	for _, err := range errs {
		t.Error(err)
	}
}

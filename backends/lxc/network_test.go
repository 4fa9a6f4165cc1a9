package lxc

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

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
	return engine.Apply(ctx, b, env, engine.Up(env.Project, "lxc", desired, observed), nil)
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

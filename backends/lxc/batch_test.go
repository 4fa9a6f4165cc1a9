package lxc

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	incus "github.com/lxc/incus/v6/client"
	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// counting is an InstanceServer that counts the round trips that cost the
// instance time: execs (by command), file pushes and instance updates.
type counting struct {
	incus.InstanceServer
	mu      sync.Mutex
	execs   []string
	pushes  int
	updates int
}

func (c *counting) ExecInstance(name string, req api.InstanceExecPost, args *incus.InstanceExecArgs) (incus.Operation, error) {
	c.mu.Lock()
	c.execs = append(c.execs, strings.Join(req.Command, " "))
	c.mu.Unlock()
	return c.InstanceServer.ExecInstance(name, req, args)
}

func (c *counting) CreateInstanceFile(name, path string, args incus.InstanceFileArgs) error {
	c.mu.Lock()
	c.pushes++
	c.mu.Unlock()
	return c.InstanceServer.CreateInstanceFile(name, path, args)
}

func (c *counting) UpdateInstance(name string, put api.InstancePut, etag string) (incus.Operation, error) {
	c.mu.Lock()
	c.updates++
	c.mu.Unlock()
	return c.InstanceServer.UpdateInstance(name, put, etag)
}

// take returns the counts so far, without systemd's readiness polls (as
// many as the boot takes), and starts again from zero.
func (c *counting) take() (execs []string, pushes, updates int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.execs {
		if e != "systemctl is-system-running" {
			execs = append(execs, e)
		}
	}
	pushes, updates = c.pushes, c.updates
	c.execs, c.pushes, c.updates = nil, 0, 0
	return execs, pushes, updates
}

// treePort is a host port unique to this test process, apart from hostPort's.
func treePort(n int) int { return 10000 + (os.Getpid()%1000)*8 + n }

// fanOut is n python3 http.server services in a binary depends_on tree
// (s2 and s3 depend on s1, s4 and s5 on s2 …), each port forwarded to the
// host.
func fanOut(project string, n int) *envfile.Environment {
	env := &envfile.Environment{Project: project, Backend: "lxc", Image: "debian/12"}
	for i := 1; i <= n; i++ {
		s := envfile.Service{Name: fmt.Sprintf("s%d", i),
			Command: []string{"python3", "-m", "http.server", itoa(8000 + i)},
			Env:     map[string]string{"ID": itoa(i)},
			Ports:   []envfile.Port{{Name: "http", Port: 8000 + i, Host: treePort(i), Protocol: "tcp"}}}
		if i > 1 {
			s.DependsOn = []string{fmt.Sprintf("s%d", i/2)}
		}
		env.Services = append(env.Services, s)
	}
	return env
}

// TestColdUpRoundTrips: a cold up of n services installs every unit in one
// exec with one daemon-reload, pushes no file, starts each unit with one
// exec, and writes the instance config at most once per service plus once
// for the host; every forwarded port answers from the host, through one
// proxy device. A changed service alone is rewritten and restarted, and a
// destroy removes the units in a few batched execs.
func TestColdUpRoundTrips(t *testing.T) {
	b := newBackend(t)
	c := &counting{InstanceServer: b.c}
	b.c = c
	const n = 6
	env := fanOut(testenv.Project(t, "lxrt"), n)
	cleanup(t, b, env)
	c.take()

	up(t, b, env)
	execs, pushes, updates := c.take()
	// The host: hostname and /etc/hosts, the units (and cache layer 0
	// when it is not cached yet, a handful); then one start per service.
	if len(execs) > n+6 || pushes != 0 || updates > n+1 {
		t.Errorf("cold up of %d services: %d execs, %d pushes, %d updates:\n%s", n, len(execs), pushes, updates, strings.Join(execs, "\n"))
	}
	reloads := 0
	for _, e := range execs {
		if strings.Contains(e, "daemon-reload") {
			reloads++
		}
	}
	if reloads != 1 {
		t.Errorf("%d execs reload systemd, want 1:\n%s", reloads, strings.Join(execs, "\n"))
	}
	t.Logf("cold up of %d services: %d execs, %d pushes, %d updates", n, len(execs), pushes, updates)
	for i := 1; i <= n; i++ {
		if body := get(t, "http://127.0.0.1:"+itoa(treePort(i))+"/"); !strings.Contains(body, "Directory listing") {
			t.Errorf("port %d: %q", treePort(i), body)
		}
	}
	inst, _, err := b.c.GetInstance(InstanceName(env.Project))
	if err != nil {
		t.Fatal(err)
	}
	proxies := 0
	for _, d := range inst.Devices {
		if d["type"] == "proxy" {
			proxies++
		}
	}
	if proxies != 1 {
		t.Errorf("%d proxy devices, want 1: %v", proxies, inst.Devices)
	}

	// One changed service: its unit alone is rewritten and restarted.
	before := unitPIDs(t, b, env)
	env.Services[2].Env["ID"] = "changed"
	if o := ops(up(t, b, env)); len(o) != n+2 || o["service/s3"] != engine.OpReplace {
		t.Errorf("plan after changing s3: %v", o)
	}
	after := unitPIDs(t, b, env)
	for k, v := range before {
		if changed := after[k] != v; changed != (k == UnitName("s3")) {
			t.Errorf("%s changed = %v (%s -> %s)", k, changed, v, after[k])
		}
	}
	unit, err := b.output(testCtx(t), InstanceName(env.Project), "cat", UnitPath("s3"))
	if err != nil || !strings.Contains(unit, `Environment="ID=changed"`) {
		t.Errorf("s3's unit after the change (%v):\n%s", err, unit)
	}
	if p := plan(t, b, env); p.Changes() != 0 {
		t.Errorf("after the change: %d changes:\n%v", p.Changes(), p)
	}

	c.take()
	destroy(t, b, env, true)
	execs, _, _ = c.take()
	// Removals of one level of the tree (s4..s6, s2 and s3, s1) share
	// execs; how many share depends on timing, so only never one a unit
	// more is checked.
	t.Logf("destroy: %d execs", len(execs))
	if len(execs) > n {
		t.Errorf("destroy: %d execs:\n%s", len(execs), strings.Join(execs, "\n"))
	}
}

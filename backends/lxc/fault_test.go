package lxc

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// applyAsync applies p in the background; events go to the returned
// channel (never blocking the executor: a full channel drops them).
func applyAsync(ctx context.Context, t *testing.T, b *Backend, env *envfile.Environment, p engine.Plan) (<-chan engine.Event, <-chan error) {
	events := make(chan engine.Event, 1000)
	done := make(chan error, 1)
	go func() {
		done <- engine.Apply(ctx, b, env, p, func(e engine.Event) {
			t.Logf("%s: %s %s", e.Ref, e.Status, e.Error)
			select {
			case events <- e:
			default:
			}
		})
	}()
	return events, done
}

// waitEvent returns once an event about ref whose status contains s
// arrived n times, or fails when the apply ends first.
func waitEvent(t *testing.T, events <-chan engine.Event, done <-chan error, ref engine.Ref, s string, n int) {
	t.Helper()
	for n > 0 {
		select {
		case e := <-events:
			if e.Ref == ref && strings.Contains(e.Status, s) {
				n--
			}
		case err := <-done:
			t.Fatalf("apply ended before %s reported %q: %v", ref, s, err)
		}
	}
}

func plan(t *testing.T, b *Backend, env *envfile.Environment) engine.Plan {
	t.Helper()
	desired, err := b.Desired(env)
	if err != nil {
		t.Fatal(err)
	}
	observed, err := b.Observe(testCtx(t), env.Project)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Up(env.Project, "lxc", desired, observed)
}

func observedState(t *testing.T, b *Backend, project string, ref engine.Ref) (engine.Resource, bool) {
	t.Helper()
	obs, err := b.Observe(testCtx(t), project)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range obs {
		if o.Ref() == ref {
			return o, true
		}
	}
	return engine.Resource{}, false
}

// TestFaultKilledDuringHealthWait: an up cancelled while db waits for its
// health check leaves db observed as starting; the next up waits for db's
// check (web, which depends on db, is not started meanwhile) and finishes
// once it passes, after which there is nothing left to do.
func TestFaultKilledDuringHealthWait(t *testing.T) {
	b := newBackend(t)
	env := &envfile.Environment{
		Project: testenv.Project(t, "lxhw"), Backend: "lxc", Image: "debian/12",
		Services: []envfile.Service{
			{Name: "db", Command: []string{"sleep", "infinity"},
				Health: &envfile.Health{Command: []string{"test", "-f", "/db-ready"}, Interval: envfile.Duration(200e6), Retries: 1000}},
			{Name: "web", Command: []string{"sleep", "infinity"}, DependsOn: []string{"db"}},
		},
	}
	cleanup(t, b, env)
	db := engine.Ref{Kind: engine.KindService, Name: "db"}
	web := engine.Ref{Kind: engine.KindService, Name: "web"}

	ctx, cancel := context.WithCancel(testCtx(t))
	events, done := applyAsync(ctx, t, b, env, plan(t, b, env))
	waitEvent(t, events, done, db, "waiting for health", 2)
	cancel()
	if err := <-done; err == nil {
		t.Fatal("cancelled up succeeded")
	}
	if o, ok := observedState(t, b, env.Project, db); !ok || o.State != engine.StateStarting {
		t.Fatalf("after the cancelled up, db is observed as %+v (found %v), want state %q", o, ok, engine.StateStarting)
	}

	p := plan(t, b, env)
	if got := ops(p); got[db.String()] != engine.OpStart || got[web.String()] != engine.OpCreate {
		t.Fatalf("second plan: %v, want db start and web create", p)
	}
	events, done = applyAsync(testCtx(t), t, b, env, p)
	waitEvent(t, events, done, db, "waiting for health", 3)
	inst := InstanceName(env.Project)
	if st, _ := b.output(testCtx(t), inst, "systemctl", "is-active", UnitName("web")); strings.TrimSpace(st) == "active" {
		t.Errorf("web is %q while db is not healthy yet", strings.TrimSpace(st))
	}
	if _, ok := observedState(t, b, env.Project, web); ok {
		t.Errorf("web was created while db is not healthy yet")
	}
	if _, err := b.output(testCtx(t), inst, "touch", "/db-ready"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("second up: %v", err)
	}
	if p := plan(t, b, env); p.Changes() != 0 {
		t.Errorf("after the second up: %d changes, want 0:\n%v", p.Changes(), p)
	}
}

// TestUnitStatesOf: health marks count only for the unit's current run.
func TestUnitStatesOf(t *testing.T) {
	shown := parseShow("Id=devbox-a.service\nActiveState=active\nInvocationID=r2\n\n" +
		"Id=devbox-b.service\nActiveState=active\nInvocationID=r3\n\n" +
		"Id=devbox-c.service\nActiveState=active\nInvocationID=r4\n\n" +
		"Id=devbox-d.service\nActiveState=inactive\nInvocationID=\n\n" +
		"Id=devbox-e.service\nActiveState=active\nInvocationID=r5\n\n" +
		"Id=devbox-f.service\nActiveState=active\nInvocationID=r6\n\n" +
		"Id=health:a\nMark=healthy r1\n\nId=health:b\nMark=healthy r3\n\nId=health:c\nMark=unhealthy r4\n")
	health := map[string]bool{"a": true, "b": true, "c": true, "d": true, "e": true}
	got := unitStatesOf(shown, []string{"a", "b", "c", "d", "e", "f"}, nil, health)
	want := map[string]string{"a": engine.StateStarting, "b": engine.StateRunning, "c": engine.StateUnhealthy,
		"d": engine.StateStopped, "e": engine.StateStarting, "f": engine.StateRunning}
	for s, w := range want {
		if got[s] != w {
			t.Errorf("%s: %q, want %q", s, got[s], w)
		}
	}
}

// TestFaultPortDeviceRemovedByHand: a forwarded port's proxy device
// removed through the Incus API is drift of its service: plan replaces
// the service, naming the device, and up makes the port answer again.
func TestFaultPortDeviceRemovedByHand(t *testing.T) {
	b := newBackend(t)
	port := hostPort(1)
	env := &envfile.Environment{
		Project: testenv.Project(t, "lxpd"), Backend: "lxc", Image: "debian/12",
		Services: []envfile.Service{{Name: "web",
			Command: []string{"/bin/sh", "-c", "mkdir -p /srv && echo web-ok >/srv/index.html && exec busybox httpd -f -p 8080 -h /srv"},
			Ports:   []envfile.Port{{Name: "http", Port: 8080, Host: port, Protocol: "tcp"}}}},
	}
	cleanup(t, b, env)
	up(t, b, env)
	url := "http://127.0.0.1:" + itoa(port) + "/"
	if got := get(t, url); !strings.Contains(got, "web-ok") {
		t.Fatalf("GET %s: %q", url, got)
	}

	inst := InstanceName(env.Project)
	device := "ports-tcp-127-0-0-1"
	i, etag, err := b.c.GetInstance(inst)
	if err != nil {
		t.Fatal(err)
	}
	if i.Devices[device] == nil {
		t.Fatalf("instance has no device %q: %v", device, i.Devices)
	}
	put := i.Writable()
	delete(put.Devices, device)
	if err := wait(b.c.UpdateInstance(inst, put, etag)); err != nil {
		t.Fatal(err)
	}

	p := plan(t, b, env)
	var found bool
	for _, a := range p.Actions {
		if a.Op == engine.OpReplace && a.Resource.Ref() == (engine.Ref{Kind: engine.KindService, Name: "web"}) &&
			strings.Contains(a.Reason, `port device "`+device+`" missing`) {
			found = true
		}
	}
	if !found || p.Changes() != 1 {
		t.Fatalf("plan after removing %s: %v, want one change: replace service/web for the missing device", device, p)
	}
	up(t, b, env)
	if got := get(t, url); !strings.Contains(got, "web-ok") {
		t.Fatalf("GET %s after the repair: %q", url, got)
	}
	if p := plan(t, b, env); p.Changes() != 0 {
		t.Errorf("after the repair: %d changes, want 0:\n%v", p.Changes(), p)
	}
}

// TestDeviceDrift: missing devices go to the services owning their ports
// (ports devices by keyPortOwners, an older devbox's port-… devices by
// name), else to the host; present ones and unrecorded services are no
// drift.
func TestDeviceDrift(t *testing.T) {
	inst := &api.Instance{}
	inst.Config = map[string]string{
		keyDevices:                            "mount-src,net-default,port-my-web-8080-tcp,port-new-9090-udp,port-web-80-tcp,ports-udp-127-0-0-1,ports-tcp-0-0-0-0",
		keyPortOwners + "ports-udp-127-0-0-1": "dns,new", keyPortOwners + "ports-tcp-0-0-0-0": "web"}
	inst.Devices = map[string]map[string]string{"net-default": {}, "port-web-80-tcp": {}, "ports-tcp-0-0-0-0": {}}
	host, svc := deviceDrift(inst, []string{"dns", "my-web", "web"})
	if host != `disk device "mount-src" missing` {
		t.Errorf("host drift %q", host)
	}
	if len(svc) != 2 || svc["my-web"] != `port device "port-my-web-8080-tcp" missing` || svc["dns"] != `port device "ports-udp-127-0-0-1" missing` {
		t.Errorf("service drift %v", svc)
	}
}

// TestPortDevices: one device per protocol and host address, its listen
// and connect lists paired in file order, its owners recorded once each.
func TestPortDevices(t *testing.T) {
	ports := []portForward{
		{Service: "a", Proto: "tcp", HostIP: "127.0.0.1", Host: 18001, Port: 8001},
		{Service: "b", Proto: "tcp", HostIP: "127.0.0.1", Host: 18002, Port: 8002},
		{Service: "a", Proto: "udp", HostIP: "127.0.0.1", Host: 15353, Port: 53},
		{Service: "a", Proto: "tcp", HostIP: "127.0.0.1", Host: 18003, Port: 8003},
		{Service: "c", Proto: "tcp", HostIP: "::1", Host: 18004, Port: 8004},
	}
	got := portDevices(ports)
	want := map[string]map[string]string{
		"ports-tcp-127-0-0-1": {"type": "proxy", "bind": "host", "listen": "tcp:127.0.0.1:18001,18002,18003", "connect": "tcp:127.0.0.1:8001,8002,8003"},
		"ports-udp-127-0-0-1": {"type": "proxy", "bind": "host", "listen": "udp:127.0.0.1:15353", "connect": "udp:127.0.0.1:53"},
		"ports-tcp---1":       {"type": "proxy", "bind": "host", "listen": "tcp:::1:18004", "connect": "tcp:127.0.0.1:8004"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("portDevices:\n got %v\nwant %v", got, want)
	}
	if o := portServices(ports, "ports-tcp-127-0-0-1"); !reflect.DeepEqual(o, []string{"a", "b"}) {
		t.Errorf("owners %v", o)
	}
	if !held(got, ports[1]) || held(got, portForward{Proto: "tcp", HostIP: "127.0.0.1", Host: 8001}) {
		t.Error("held is wrong")
	}
}

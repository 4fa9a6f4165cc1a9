package lxc

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
	"github.com/devbox-dev/devbox/proxy"
	"github.com/devbox-dev/devbox/tools"
)

// packageProxy is testenv's: the host's caching proxy for packages.
const packageProxy = testenv.PackageProxy

func requireProxy(t *testing.T) { testenv.RequireProxy(t) }

// pruneLayers deletes the cached layers named by keys, now and when t ends,
// so that the packages are really installed.
func pruneLayers(t *testing.T, b *Backend, keys []string) {
	t.Helper()
	prune := func() {
		if _, err := b.CachePrune(context.Background(), func(e CacheEntry) bool { return slices.Contains(keys, e.Alias) }); err != nil {
			t.Error(err)
		}
	}
	prune()
	t.Cleanup(prune)
}

func hasEvent(events []string, sub string) bool {
	return slices.ContainsFunc(events, func(e string) bool { return strings.Contains(e, sub) })
}

// TestProvisionThroughLoopbackProxy: with the proxy on the host's loopback
// a real Debian package installs and a step reaches the archive through
// it; afterwards the instance reaches the proxy no more, no service and no
// file knows it, and the cached layers are the same without a proxy: an
// up without one (and with no way out) builds from them.
func TestProvisionThroughLoopbackProxy(t *testing.T) {
	b := newBackend(t)
	requireProxy(t)
	testenv.CacheShared(t)
	ctx := testCtx(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxpx"), Image: "debian/12",
		Proxy: proxy.Settings{HTTP: packageProxy},
		Services: []envfile.Service{{Name: "app", Packages: []string{"hello"},
			Provision: []string{`test -n "$http_proxy" && curl -fsS -o /dev/null http://deb.debian.org/debian/dists/bookworm/InRelease`},
			Command:   []string{"sleep", "infinity"}}}}
	keys, err := b.CacheKeys(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	pruneLayers(t, b, keys)
	cleanup(t, b, env)
	_, events := upEvents(t, b, env)
	if !hasEvent(events, "packages: hello") || !hasEvent(events, "step 1/1") {
		t.Errorf("up did not provision: %q", events)
	}
	inst := InstanceName(env.Project)
	if out, err := b.output(ctx, inst, "hello"); err != nil || out != "Hello, world!\n" {
		t.Errorf("hello: %q, %v", out, err)
	}
	checkNoProxy(t, b, inst)

	bare := *env
	bare.Proxy = proxy.Settings{}
	if k2, _ := b.CacheKeys(ctx, &bare); !slices.Equal(keys, k2) {
		t.Errorf("cache keys differ without the proxy: %v vs %v", keys, k2)
	}
	d1, _ := Desired(env)
	d2, _ := Desired(&bare)
	for i := range d1 {
		if d1[i].Hash != d2[i].Hash {
			t.Errorf("%s: hash differs without the proxy", d1[i].Ref())
		}
	}
	destroy(t, b, env, true)
	_, events = upEvents(t, b, &bare)
	if !hasEvent(events, "creating from cache (2 of 2 layers)") || hasEvent(events, "packages:") {
		t.Errorf("up without the proxy did not reuse the layers: %q", events)
	}
	if out, err := b.output(ctx, inst, "hello"); err != nil || out != "Hello, world!\n" {
		t.Errorf("hello from the cached layer: %q, %v", out, err)
	}
}

// checkNoProxy: inst has no proxy device and cannot reach the proxy, and
// neither its services' environment nor a file under /etc names it.
func checkNoProxy(t *testing.T, b *Backend, inst string) {
	t.Helper()
	ctx := testCtx(t)
	i, _, err := b.c.GetInstance(inst)
	if err != nil {
		t.Fatal(err)
	}
	for k := range i.Devices {
		if strings.HasPrefix(k, proxyDevice) {
			t.Errorf("device %s left on %s: %v", k, inst, i.Devices[k])
		}
	}
	if out, err := b.output(ctx, inst, "curl", "-sS", "-m", "5", "-o", "/dev/null", "-x", packageProxy, "http://deb.debian.org/"); err == nil {
		t.Errorf("the instance still reaches the proxy: %q", out)
	}
	script := `for u in $(systemctl list-units --no-legend --plain --state=running --type=service | cut -d' ' -f1); do
  pid=$(systemctl show -p MainPID --value "$u"); [ "$pid" -gt 0 ] || continue
  echo "== $u"; tr '\0' '\n' </proc/$pid/environ; systemctl show -p Environment "$u"; done
grep -rIl "$1" /etc /root || true`
	out, err := b.output(ctx, inst, "/bin/sh", "-c", script, "sh", strings.TrimPrefix(packageProxy, "http://"))
	if err != nil || !strings.Contains(out, "== "+UnitName("app")) {
		t.Fatalf("environments: %q, %v", out, err)
	}
	if low := strings.ToLower(out); strings.Contains(low, "_proxy") || strings.Contains(low, "3128") {
		t.Errorf("the proxy is in a service's environment or a file:\n%s", out)
	}
}

// TestToolThroughLoopbackProxy: a tool instance, which has no NIC,
// installs a real package through the loopback proxy, and keeps no way to
// it.
func TestToolThroughLoopbackProxy(t *testing.T) {
	b := newBackend(t)
	requireProxy(t)
	testenv.CacheShared(t)
	ctx := testCtx(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxpxt"), Image: "debian/12",
		Proxy: proxy.Settings{HTTP: packageProxy},
		Tools: []envfile.Tool{{Name: "greet", Image: "debian/12", Packages: []string{"hello"}, Command: []string{"hello"}}}}
	base, err := b.toolBase(ctx, &env.Tools[0])
	if err != nil {
		t.Fatal(err)
	}
	keys := layerKeys(base.Image.Fingerprint, hostSpec{Packages: env.Tools[0].Packages})
	pruneLayers(t, b, []string{cachePrefix + keys[0]})
	t.Cleanup(func() { _, _ = b.RemoveTools(context.Background(), env.Project, nil) })
	var out, errb bytes.Buffer
	var events []string
	opts := engine.ToolOptions{Workdir: t.TempDir(), Progress: func(e engine.Event) { events = append(events, e.Status) }}
	code, err := b.RunTool(ctx, env, "greet", nil, opts, engine.Stdio{Out: &out, Err: &errb})
	if err != nil || code != 0 || out.String() != "Hello, world!\n" {
		t.Fatalf("tool: %d, %v, %q %q (events %q)", code, err, out.String(), errb.String(), events)
	}
	if !hasEvent(events, "packages: hello") {
		t.Errorf("the tool did not install: %q", events)
	}
	name := tools.Name(env.Project, "greet", 0)
	i, _, err := b.c.GetInstance(name)
	if err != nil {
		t.Fatal(err)
	}
	for k, d := range i.Devices {
		if d["type"] != "disk" {
			t.Errorf("tool instance keeps device %s: %v", k, d)
		}
	}
}

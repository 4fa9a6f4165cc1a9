package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
	"github.com/devbox-dev/devbox/proxy"
	"github.com/devbox-dev/devbox/tools"
)

// testProxy is the package proxy .ci/proxy runs on the host's loopback;
// test containers reach nothing else.
const testProxy = "127.0.0.1:3128"

func needProxy(t *testing.T) proxy.Settings {
	t.Helper()
	c, err := net.DialTimeout("tcp", testProxy, 2*time.Second)
	if err != nil {
		testenv.Missing(t, "no package proxy on %s (run .ci/proxy): %v", testProxy, err)
	}
	c.Close()
	return proxy.Settings{HTTP: "http://" + testProxy}
}

// uncache removes step images, so a build runs cold; missing ones are fine.
func uncache(t *testing.T, b *Backend, tags []string) {
	t.Helper()
	for i := len(tags) - 1; i >= 0; i-- {
		if _, err := b.cli.ImageRemove(context.Background(), tags[i], image.RemoveOptions{}); err != nil && !notFound(err) {
			t.Errorf("remove cache image %s: %v", tags[i], err)
		}
	}
}

// noProxyVars fails t when env (NAME=value list) has a proxy variable.
func noProxyVars(t *testing.T, what string, env []string) {
	t.Helper()
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		for _, n := range proxy.Names() {
			if name == n {
				t.Errorf("%s has %s", what, kv)
			}
		}
	}
}

// TestPackagesThroughLoopbackProxy: a real Debian package installs through
// the host-loopback proxy while the build runs on a network with no way
// out; the proxy is in no committed config, no file, no service env and
// no cache tag (a build without it finds every step cached).
func TestPackagesThroughLoopbackProxy(t *testing.T) {
	b := newBackend(t)
	px := needProxy(t)
	testenv.CacheShared(t)
	ctx := context.Background()
	svc := envfile.Service{Name: "app", Packages: []string{"hello"}, Command: []string{"sleep", "infinity"}}
	env := &envfile.Environment{Image: debianImage, Services: []envfile.Service{svc}, Proxy: px}
	tags, err := b.CacheTags(ctx, env, "app")
	if err != nil || len(tags) != 1 {
		t.Fatalf("cache tags %v, %v", tags, err)
	}
	uncache(t, b, tags)
	t.Cleanup(func() { uncache(t, b, tags) }) // after the projects are gone
	env.Project = project(t, b, "dkproxy")

	l := &stepLog{titles: map[string]bool{"packages hello": true}}
	desired, _ := b.Desired(env)
	if err := engine.Apply(ctx, b, env, engine.Up(env.Project, "docker", desired, nil), l.progress(t)); err != nil {
		t.Fatalf("up: %v", err)
	}
	if strings.Join(l.ran, " ") != "1/1" {
		t.Errorf("ran %v, cached %v", l.ran, l.cached)
	}
	if out, code := execOut(t, b, env, "app", "hello"); code != 0 || out != "Hello, world!\n" {
		t.Errorf("hello: %q, exit %d", out, code)
	}
	var raw bytes.Buffer // all the daemon keeps, the build container's config too
	img, err := b.cli.ImageInspect(ctx, tags[0], client.ImageInspectWithRawResponse(&raw))
	if err != nil {
		t.Fatal(err)
	}
	noProxyVars(t, "the built image's Config.Env", img.Config.Env)
	if s := strings.ToLower(raw.String()); strings.Contains(s, "3128") || strings.Contains(s, "_proxy") {
		t.Errorf("the built image's config mentions the proxy: %s", raw.String())
	}
	var cfg struct {
		Config struct{ OpenStdin, StdinOnce bool }
	}
	if err := json.Unmarshal(raw.Bytes(), &cfg); err != nil || cfg.Config.OpenStdin || cfg.Config.StdinOnce {
		t.Errorf("the built image keeps the build's stdin settings: %+v %v", cfg, err)
	}
	c, err := b.cli.ContainerInspect(ctx, ContainerName(env.Project, "app"))
	if err != nil {
		t.Fatal(err)
	}
	noProxyVars(t, "the service container's Config.Env", c.Config.Env)
	out, _ := execOut(t, b, env, "app", "env")
	noProxyVars(t, "the service's environment", strings.Split(strings.TrimSpace(out), "\n"))
	if out, _ := execOut(t, b, env, "app", "sh", "-c", "grep -rlis proxy /etc/apt /etc/environment /etc/profile.d; true"); out != "" {
		t.Errorf("files in the image mention a proxy: %q", out)
	}

	// The same service without a proxy, in another project: all cached.
	env2 := &envfile.Environment{Project: project(t, b, "dkproxy2"), Image: debianImage, Services: []envfile.Service{svc}}
	if tags2, _ := b.CacheTags(ctx, env2, "app"); strings.Join(tags2, " ") != strings.Join(tags, " ") {
		t.Errorf("cache tags without a proxy %v, with %v", tags2, tags)
	}
	l = &stepLog{titles: map[string]bool{"packages hello": true}}
	desired, _ = b.Desired(env2)
	if err := engine.Apply(ctx, b, env2, engine.Up(env2.Project, "docker", desired, nil), l.progress(t)); err != nil {
		t.Fatalf("up without proxy: %v", err)
	}
	if len(l.ran) != 0 || strings.Join(l.cached, " ") != "1/1" {
		t.Errorf("without proxy: ran %v, cached %v", l.ran, l.cached)
	}
}

// TestToolPackagesThroughLoopbackProxy: a tool's packages install through
// the proxy too, and its warm container's env has none of it.
func TestToolPackagesThroughLoopbackProxy(t *testing.T) {
	b := newBackend(t)
	px := needProxy(t)
	testenv.CacheShared(t)
	ctx := context.Background()
	project := testenv.Project(t, "dktoolproxy")
	src := `project = "` + project + `"
image = "debian/12"
tool "fig" {
  packages = ["figlet"]
  command  = ["figlet"]
}
`
	env, _, diags := envfile.Parse(filepath.Join(t.TempDir(), "devbox.hcl"), []byte(src), envfile.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	env.Proxy = px
	base, err := b.cli.ImageInspect(ctx, "debian:12")
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, st := range buildSteps(base.ID, tools.Service(env.Tool("fig"))) {
		tags = append(tags, st.Tag)
	}
	uncache(t, b, tags)
	t.Cleanup(func() { uncache(t, b, tags) })
	t.Cleanup(func() { _, _ = b.RemoveTools(context.Background(), project, nil) })

	var out bytes.Buffer
	code, err := b.RunTool(ctx, env, "fig", []string{"-f", "term", "via proxy"},
		engine.ToolOptions{Workdir: enginetest.UserDir(t), UID: 1000, GID: 1000, Progress: testProgress(t)}, engine.Stdio{Out: &out})
	if err != nil || code != 0 || strings.TrimSpace(out.String()) != "via proxy" {
		t.Fatalf("figlet: exit %d, %v, out %q", code, err, out.String())
	}
	c, err := b.cli.ContainerInspect(ctx, toolContainerID(t, b, project))
	if err != nil {
		t.Fatal(err)
	}
	noProxyVars(t, "the tool container's Config.Env", c.Config.Env)
	img, err := b.cli.ImageInspect(ctx, tags[len(tags)-1])
	if err != nil {
		t.Fatal(err)
	}
	noProxyVars(t, "the tool image's Config.Env", img.Config.Env)
}

// TestBuildNetworkReachesOnlyTheProxy: from the build network, the
// forwarded proxy answers (squid, to a request it refuses without going
// out) and another port on the host's loopback does not; the step's
// process sees the rewritten proxy variables.
func TestBuildNetworkReachesOnlyTheProxy(t *testing.T) {
	b := newBackend(t)
	px := needProxy(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	reached := make(chan struct{}, 1)
	go func() {
		if c, err := other.Accept(); err == nil {
			reached <- struct{}{}
			c.Close()
		}
	}()
	sn, err := b.stepTransport(ctx, px, engine.Ref{Kind: engine.KindImage, Name: "probe"}, testProgress(t))
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	n, err := b.cli.NetworkInspect(ctx, sn.network, network.InspectOptions{})
	if err != nil || !n.Internal || sn.network != BuildNetworkNoNAT {
		t.Fatalf("build network %q internal=%v: %v", sn.network, n.Internal, err)
	}
	if len(sn.fwds) != 1 || strings.Join(sn.env, " ") != "HTTP_PROXY=http://"+sn.fwds[0].Addr()+" http_proxy=http://"+sn.fwds[0].Addr() {
		t.Fatalf("step env %v", sn.env)
	}
	gw, _, _ := net.SplitHostPort(sn.fwds[0].Addr())
	_, otherPort, _ := net.SplitHostPort(other.Addr().String())
	probe := `import os, socket, sys
hp = os.environ["http_proxy"].split("//")[1].split(":")
s = socket.create_connection((hp[0], int(hp[1])), timeout=5)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
print("proxy:", b"squid" in s.makefile("rb").read())
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
    print("other: open")
except OSError as e:
    print("other: closed")
`
	script := "python3 -c " + shellQuote(probe) + " " + gw + " " + otherPort
	created, err := b.cli.ContainerCreate(ctx, &container.Config{
		Image: "debian:12", Cmd: []string{"sh", "-c", stepWrapper, "probe", script},
		OpenStdin: true, StdinOnce: true, AttachStdin: true,
		Labels: map[string]string{LabelKind: "build", LabelHash: "proxy-probe"},
	}, &container.HostConfig{NetworkMode: container.NetworkMode(sn.network)}, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer b.discard(ctx, created.ID)
	var out bytes.Buffer
	code, err := b.runToExit(ctx, created.ID, sn.env, &out)
	if err != nil || code != 0 || out.String() != "proxy: True\nother: closed\n" {
		t.Errorf("probe: exit %d, %v, out %q", code, err, out.String())
	}
	select {
	case <-reached:
		t.Errorf("the build network reached 127.0.0.1:%s", otherPort)
	default:
	}
}

// TestWithoutLoopback: for a remote daemon only the loopback proxies go.
func TestWithoutLoopback(t *testing.T) {
	got := withoutLoopback(proxy.Settings{HTTP: "http://localhost:3128", HTTPS: "http://proxy.corp:8080", NoProxy: "corp"})
	if got != (proxy.Settings{HTTPS: "http://proxy.corp:8080", NoProxy: "corp"}) {
		t.Errorf("%+v", got)
	}
}

// TestForwarderRefusesOtherPeers: a connection from outside the build
// network's subnet is closed without reaching the target.
func TestForwarderRefusesOtherPeers(t *testing.T) {
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	go func() {
		for {
			c, err := target.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("target\n"))
			c.Close()
		}
	}()
	read := func(f *forwarder) string {
		c, err := net.DialTimeout("tcp", f.Addr(), 2*time.Second)
		if err != nil {
			return err.Error()
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(c)
		return buf.String()
	}
	_, loop, _ := net.ParseCIDR("127.0.0.0/8")
	_, elsewhere, _ := net.ParseCIDR("10.99.0.0/24")
	ok, err := forward(net.IPv4(127, 0, 0, 1), loop, target.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer ok.Close()
	refusing, err := forward(net.IPv4(127, 0, 0, 1), elsewhere, target.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer refusing.Close()
	if got := read(ok); got != "target\n" {
		t.Errorf("from the subnet: %q", got)
	}
	if got := read(refusing); got != "" {
		t.Errorf("from outside the subnet: %q", got)
	}
}

package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/compose"
	"github.com/devbox-dev/devbox/internal/registry"
	"github.com/devbox-dev/devbox/platform"
)

const shopHCL = `project = "shop"
backend = "docker"
image   = "debian/12"

network "lan" { mode = "isolated" }
volume "data" {}

service "db" {
  command  = ["db"]
  env      = { ROLE = "database" }
  port "pg" {
    port = 5432
    host = 15432
  }
  volumes  = { data = "/data" }
  networks = ["lan"]
}

service "web" {
  command    = ["web"]
  networks   = ["lan"]
  depends_on = ["db"]
}
`

type harness struct {
	t    *testing.T
	dir  string
	fake *enginetest.Fake
	open func(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error)
	host platform.Host // what the machine runs: by default, x86_64 with IA-32 emulation on
	euid int
	env  map[string]string
	// names are the fake registry's backends (default: lxc, docker), all
	// opened by open; missing ones fail doctor's installed check.
	names   []string
	missing map[string]bool
}

func newHarness(t *testing.T, hcl string) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), fake: enginetest.New(), euid: 1000,
		host: platform.Host{Machine: "x86_64", Compat: platform.Yes, Mounted: true, Enabled: true}}
	if err := os.WriteFile(filepath.Join(h.dir, "devbox.hcl"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	h.open = func(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
		return h.fake, nil
	}
	return h
}

func (h *harness) run(args ...string) (int, string, string) {
	h.t.Helper()
	var out, errb bytes.Buffer
	app := &App{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string {
			if k == "XDG_RUNTIME_DIR" || k == "DEVBOX_LOCK_DIR" {
				return h.dir
			}
			return h.env[k]
		},
		Backends: h.registry(),
		Host:     func() platform.Host { return h.host },
		Euid:     func() int { return h.euid },
		Import:   compose.Import,
	}
	code := Main(context.Background(), append([]string{"-C", h.dir}, args...), app)
	return code, out.String(), errb.String()
}

// registry is the harness's fake backends: nothing on the host is
// looked at, so doctor runs the same without daemons installed.
func (h *harness) registry() registry.Registry {
	names := h.names
	if names == nil {
		names = []string{"lxc", "docker"}
	}
	var r registry.Registry
	for _, name := range names {
		r = append(r, registry.Backend{
			Name: name,
			Open: func(ctx context.Context, env *envfile.Environment) (engine.Backend, error) {
				return h.open(ctx, name, env)
			},
			Daemon:    name + "d",
			Installed: func() bool { return !h.missing[name] },
			Install:   "install " + name,
			Start:     "start " + name,
		})
	}
	return r
}

func TestValidate(t *testing.T) {
	h := newHarness(t, shopHCL)
	code, out, errs := h.run("validate")
	if code != ExitOK || !strings.Contains(out, "is valid") {
		t.Fatalf("validate: code %d\n%s%s", code, out, errs)
	}
}

func TestValidateBadFileExits2WithPosition(t *testing.T) {
	bad := strings.Replace(shopHCL, `depends_on = ["db"]`, `depends_on = ["nope"]`, 1)
	h := newHarness(t, bad)
	code, _, errs := h.run("validate")
	if code != ExitBadInput {
		t.Fatalf("code = %d, want 2\n%s", code, errs)
	}
	// depends_on is on line 22, its value starts at column 16.
	if !strings.Contains(errs, "devbox.hcl:22:17") || !strings.Contains(errs, `depends_on = ["nope"]`) {
		t.Errorf("diagnostic lacks file:line:col or source line:\n%s", errs)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	h := newHarness(t, shopHCL)
	if code, _, _ := h.run("--no-such-flag"); code != ExitBadInput {
		t.Errorf("unknown flag: code %d", code)
	}
	if code, _, _ := h.run("no-such-verb"); code != ExitBadInput {
		t.Errorf("unknown verb: code %d", code)
	}
	if code, _, errs := h.run("-f", "missing.hcl", "validate"); code != ExitBadInput {
		t.Errorf("missing file: code %d %s", code, errs)
	}
}

func TestConfigJSON(t *testing.T) {
	h := newHarness(t, shopHCL)
	code, out, errs := h.run("config")
	if code != 0 || !strings.Contains(out, `"project": "shop"`) || !strings.Contains(out, `"host_ip": "127.0.0.1"`) {
		t.Fatalf("config: %d\n%s%s", code, out, errs)
	}
}

func TestPlanUpDownDestroyWithFake(t *testing.T) {
	h := newHarness(t, shopHCL)
	code, out, errs := h.run("plan")
	if code != 0 || !strings.Contains(out, "+ service/db") || !strings.Contains(out, "4 change(s)") {
		t.Fatalf("plan: %d\n%s%s", code, out, errs)
	}
	if len(h.fake.Calls()) != 0 {
		t.Fatal("plan changed the engine")
	}
	if code, out, errs = h.run("up"); code != 0 {
		t.Fatalf("up: %d\n%s%s", code, out, errs)
	}
	if code, out, _ = h.run("up"); code != 0 || !strings.Contains(out, "nothing to do") {
		t.Fatalf("second up: %d\n%s", code, out)
	}
	h.fake.Calls()
	if code, out, errs = h.run("down"); code != 0 {
		t.Fatalf("down: %d %s %s", code, out, errs)
	}
	for _, c := range h.fake.Calls() {
		if !strings.HasPrefix(c, "stop ") {
			t.Errorf("down did %q", c)
		}
	}
	if code, _, errs = h.run("destroy"); code != 0 {
		t.Fatalf("destroy: %d %s", code, errs)
	}
	if h.fake.ID(engine.KindVolume, "data") == "" {
		t.Error("destroy without --volumes removed the volume")
	}
	if code, _, errs = h.run("destroy", "--volumes"); code != 0 || h.fake.ID(engine.KindVolume, "data") != "" {
		t.Errorf("destroy --volumes: %d %s", code, errs)
	}
}

func TestUpRuntimeFailureExits1(t *testing.T) {
	h := newHarness(t, shopHCL)
	h.fake.Fail["create service/db"] = errors.New("engine exploded")
	code, _, errs := h.run("up")
	if code != ExitFailure || !strings.Contains(errs, "engine exploded") {
		t.Fatalf("code %d, stderr %s", code, errs)
	}
}

func TestDoctorReportsUnreachableDaemonWithFix(t *testing.T) {
	h := newHarness(t, shopHCL)
	h.open = func(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
		return nil, errors.New(name + ": cannot reach the daemon")
	}
	code, out, _ := h.run("doctor")
	if code != ExitFailure {
		t.Errorf("doctor with daemons down: code %d", code)
	}
	for _, name := range []string{"docker", "lxc"} {
		if !strings.Contains(out, name+": cannot reach the daemon") || !strings.Contains(out, "fix: start "+name+"\n") {
			t.Errorf("doctor output lacks %s's failure and the registry's start command:\n%s", name, out)
		}
	}
}

// TestDoctorReportsMissingDaemonWithInstall: the registry's installed
// check decides, and a missing engine is not opened.
func TestDoctorReportsMissingDaemonWithInstall(t *testing.T) {
	h := newHarness(t, shopHCL)
	h.missing = map[string]bool{"docker": true}
	var opened []string
	h.open = func(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
		opened = append(opened, name)
		return h.fake, nil
	}
	code, out, _ := h.run("doctor")
	if code != ExitFailure {
		t.Errorf("doctor with docker missing: code %d\n%s", code, out)
	}
	for _, want := range []string{"lxc:\n  [ok  ] installed      lxcd\n", "docker:\n  [FAIL] installed      dockerd not found\n         fix: install docker\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if len(opened) != 1 || opened[0] != "lxc" {
		t.Errorf("doctor opened %v, want only lxc", opened)
	}

	code, out, _ = h.run("--backend", "lxc", "doctor")
	if code != ExitOK || strings.Contains(out, "docker") {
		t.Errorf("doctor --backend lxc: code %d\n%s", code, out)
	}
	code, _, errs := h.run("--backend", "podman", "doctor")
	if code != ExitBadInput || !strings.Contains(errs, `The backend override "podman" is not supported; use "lxc" or "docker".`) {
		t.Errorf("doctor --backend podman with a file: code %d\n%s", code, errs)
	}
	code, _, errs = h.run("-C", t.TempDir(), "--backend", "podman", "doctor") // no devbox.hcl
	if code != ExitBadInput || !strings.Contains(errs, `--backend "podman": want lxc or docker`) {
		t.Errorf("doctor --backend podman without a file: code %d\n%s", code, errs)
	}
}

// TestBackendNamesComeFromTheRegistry: the file's backend must be one the
// App was given, reported where the file says it.
func TestBackendNamesComeFromTheRegistry(t *testing.T) {
	h := newHarness(t, shopHCL) // backend = "docker", on line 2
	h.names = []string{"lxc", "fake"}
	code, _, errs := h.run("validate")
	if code != ExitBadInput || !strings.Contains(errs, "devbox.hcl:2:11") || !strings.Contains(errs, `Backend "docker" is not supported; use "lxc" or "fake".`) {
		t.Fatalf("validate with docker unregistered: code %d\n%s", code, errs)
	}
	if code, out, errs := h.run("--backend", "fake", "plan"); code != ExitOK || !strings.Contains(out, "+ service/db") {
		t.Fatalf("plan --backend fake: code %d\n%s%s", code, out, errs)
	}
	if code, _, errs := h.run("--backend", "docker", "validate"); code != ExitBadInput || !strings.Contains(errs, `The backend override "docker" is not supported; use "lxc" or "fake".`) {
		t.Fatalf("--backend docker: code %d\n%s", code, errs)
	}
}

func TestEnvFromHost(t *testing.T) {
	h := newHarness(t, shopHCL)
	code, out, _ := h.run("env")
	if code != 0 || !strings.Contains(out, "DB_PORT_15432_TCP_ADDR=127.0.0.1\n") || !strings.Contains(out, "DB_ENV_ROLE=database\n") {
		t.Fatalf("env: %d\n%s", code, out)
	}
	_, out, _ = h.run("env", "--export")
	if !strings.Contains(out, "export DB_HOST='127.0.0.1'\n") {
		t.Errorf("env --export:\n%s", out)
	}
}

func TestVersion(t *testing.T) {
	h := newHarness(t, shopHCL)
	if code, out, _ := h.run("version"); code != 0 || !strings.HasPrefix(out, "devbox ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestFollowShorthand(t *testing.T) {
	for in, want := range map[string]string{
		"logs -f web":                "logs --follow web",
		"-f x.hcl logs -f":           "-f x.hcl logs --follow",
		"-f x.hcl logs":              "-f x.hcl logs",
		"-C d --var a=b logs web -f": "-C d --var a=b logs web --follow",
		"exec web -- ls -f":          "exec web -- ls -f",
		"logs web -- -f":             "logs web -- -f",
	} {
		if got := strings.Join(followShorthand(strings.Fields(in)), " "); got != want {
			t.Errorf("followShorthand(%q) = %q, want %q", in, got, want)
		}
	}
}

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
		Open: h.open,
		Host: func() platform.Host { return h.host },
		Euid: func() int { return h.euid },
	}
	code := Main(context.Background(), append([]string{"-C", h.dir}, args...), app)
	return code, out.String(), errb.String()
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
		if !strings.Contains(out, name+": cannot reach the daemon") {
			t.Errorf("doctor output lacks %s failure:\n%s", name, out)
		}
	}
	if !strings.Contains(out, "fix:") {
		t.Errorf("doctor gives no fix:\n%s", out)
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

package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/backends"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/compose"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// realRun runs devbox against the real engines, as the binary would.
func realRun(t *testing.T, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	app := &App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: getenv, Backends: backends.Registry(), Import: compose.Import}
	code := Main(context.Background(), args, app)
	return code, out.String(), errb.String()
}

func requireEngine(t *testing.T, name string) {
	testenv.Require(t, name, func() error {
		b, err := backends.Registry().Open(context.Background(), name, &envfile.Environment{LXC: envfile.LXCConfig{Remote: "local"}})
		if err != nil {
			return err
		}
		return b.Close()
	})
}

func exampleDir(t *testing.T) string {
	dir, err := filepath.Abs("../../examples/shop")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPlanAgainstRealEngines prints the example's plan from each real
// engine's observed state.
func TestPlanAgainstRealEngines(t *testing.T) {
	for _, name := range backends.Registry().Names() {
		t.Run(name, func(t *testing.T) {
			requireEngine(t, name)
			code, out, errs := realRun(t, os.Getenv, "-C", exampleDir(t), "--backend", name,
				"--var", "web_port=28181", "plan")
			if code != 0 {
				t.Fatalf("plan on %s: exit %d\n%s%s", name, code, out, errs)
			}
			t.Logf("plan on %s:\n%s", name, out)
			for _, want := range []string{"on " + name, "service/db", "service/web", "service/cache"} {
				if !strings.Contains(out, want) {
					t.Errorf("plan lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestDoctorAgainstRealEngines: with both daemons up doctor passes; with a
// daemon unreachable it says so and how to start it.
func TestDoctorAgainstRealEngines(t *testing.T) {
	requireEngine(t, "docker")
	requireEngine(t, "lxc")
	dir := t.TempDir()
	code, out, errs := realRun(t, os.Getenv, "-C", dir, "doctor")
	if code != 0 {
		t.Fatalf("doctor with both engines up: exit %d\n%s%s", code, out, errs)
	}
	t.Logf("doctor:\n%s", out)

	down := func(k string) string {
		switch k {
		case "DOCKER_HOST":
			return "unix:///nonexistent/docker.sock"
		case "INCUS_SOCKET":
			return "/nonexistent/incus.socket"
		}
		return os.Getenv(k)
	}
	// The backends read DOCKER_HOST / INCUS_SOCKET from the process env.
	t.Setenv("DOCKER_HOST", down("DOCKER_HOST"))
	t.Setenv("INCUS_SOCKET", down("INCUS_SOCKET"))
	code, out, _ = realRun(t, down, "-C", dir, "doctor")
	if code != ExitFailure {
		t.Errorf("doctor with daemons unreachable: exit %d, want 1", code)
	}
	for _, want := range []string{"docker:", "lxc:", "FAIL", "systemctl start docker", "incus admin waitready"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
}

// engineNames lists the real backends, default first.
func engineNames() []string { return backends.Registry().Names() }

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/backends"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// tierFile is web depending on api depending on db, sleeping programs.
func tierFile(project, backend string) string {
	return fmt.Sprintf(`project = %q
backend = %q
image   = "debian/12"

service "db" {
  command = ["sleep", "infinity"]
}
service "api" {
  command    = ["sleep", "infinity"]
  depends_on = ["db"]
}
service "web" {
  command    = ["sleep", "infinity"]
  depends_on = ["api"]
}
`, project, backend)
}

// sickService never passes its health check (100 retries: minutes on its
// own budget), and says something first.
const sickService = `
service "sick" {
  command = ["sh", "-c", "echo sick-says-hello; exec sleep infinity"]
  health {
    command  = ["false"]
    interval = "1s"
    retries  = 100
  }
}
`

// svcSnap is what the test compares of a service between verbs.
type svcSnap struct{ State, StartedAt, ID string }

// TestServiceVerbsOnRealEngines drives up SERVICE, up, stop, start,
// restart and up --timeout through cli.Main on each engine, and checks on
// the engine that each touched only what it names.
func TestServiceVerbsOnRealEngines(t *testing.T) {
	for _, backend := range engineNames() {
		t.Run(backend, func(t *testing.T) {
			requireEngine(t, backend)
			t.Setenv("DEVBOX_NO_NAT", "1")
			dir := t.TempDir()
			project := testenv.Project(t, "vrb-"+backend)
			file := filepath.Join(dir, "devbox.hcl")
			if err := os.WriteFile(file, []byte(tierFile(project, backend)), 0o644); err != nil {
				t.Fatal(err)
			}
			run := func(args ...string) (int, string, string) {
				t.Helper()
				return realRun(t, os.Getenv, append([]string{"-C", dir}, args...)...)
			}
			must := func(args ...string) {
				t.Helper()
				if code, out, errs := run(args...); code != 0 {
					t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
				}
			}
			t.Cleanup(func() { run("destroy", "--volumes") })
			snap := func() map[string]svcSnap { t.Helper(); return snapshot(t, run, backend, project) }

			must("up", "api")
			s1 := snap()
			if s1["web"].State != engine.StateMissing || s1["api"].State != engine.StateRunning || s1["db"].State != engine.StateRunning {
				t.Fatalf("up api: %v, want api and db running, web not created", s1)
			}
			must("up")
			s2 := snap()
			if s2["web"].State != engine.StateRunning {
				t.Errorf("up: web %v, want running", s2["web"])
			}
			same(t, "up after up api", s1, s2, "db", "api")

			must("stop", "db")
			s3 := snap()
			if s3["db"].State != engine.StateStopped || s3["api"].State != engine.StateRunning || s3["web"].State != engine.StateRunning {
				t.Errorf("stop db: %v, want db stopped and the others running", s3)
			}
			must("start", "db")
			s4 := snap()
			if s4["db"].State != engine.StateRunning || s4["db"].ID != s2["db"].ID {
				t.Errorf("start db: %v, want db running, same id as %v", s4["db"], s2["db"])
			}
			same(t, "stop db, start db", s2, s4, "api", "web")

			time.Sleep(1100 * time.Millisecond) // lxc start times are in seconds
			must("restart", "api")
			s5 := snap()
			if s5["api"].State != engine.StateRunning || s5["api"].ID != s4["api"].ID || s5["api"].StartedAt == s4["api"].StartedAt {
				t.Errorf("restart api: %v, want running, same id, new start time (was %v)", s5["api"], s4["api"])
			}
			same(t, "restart api", s4, s5, "db", "web")

			if err := os.WriteFile(file, []byte(tierFile(project, backend)+sickService), 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			code, out, errs := run("up", "--timeout", "3s", "sick")
			took := time.Since(start)
			if code == 0 || !strings.Contains(errs, `"sick"`) || !strings.Contains(errs, "within 3s") || !strings.Contains(errs, "sick-says-hello") {
				t.Errorf("up --timeout 3s sick: exit %d, want non-zero naming sick, the bound and its output\n%s%s", code, out, errs)
			}
			if took > 90*time.Second {
				t.Errorf("up --timeout 3s took %s: the bound did not cut the check's own budget", took)
			}
			t.Logf("up --timeout 3s of a never-healthy service failed after %s:\n%s", took.Round(time.Millisecond), errs)
			same(t, "up --timeout sick", s5, snap(), "db", "api", "web")
		})
	}
}

// snapshot reads each service's state and start time (devbox status
// --json) and the engine's id for it (Observe).
func snapshot(t *testing.T, run func(...string) (int, string, string), backend, project string) map[string]svcSnap {
	t.Helper()
	code, out, errs := run("--json", "status")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s%s", code, out, errs)
	}
	var st struct{ Services []engine.ServiceStatus }
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	snap := map[string]svcSnap{}
	for _, s := range st.Services {
		snap[s.Name] = svcSnap{State: s.State, StartedAt: s.StartedAt}
	}
	ctx := context.Background()
	b, err := backends.Registry().Open(ctx, backend, &envfile.Environment{Project: project, LXC: envfile.LXCConfig{Remote: "local"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	obs, err := b.Observe(ctx, project)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range obs {
		if o.Kind == engine.KindService {
			s := snap[o.Name]
			s.ID = o.ID + "@" + o.Hash // lxc's id is the unit's name; its hash says it was not rewritten
			snap[o.Name] = s
		}
	}
	return snap
}

// same fails for each service whose id or start time changed.
func same(t *testing.T, when string, before, after map[string]svcSnap, services ...string) {
	t.Helper()
	for _, s := range services {
		if before[s].ID != after[s].ID || before[s].StartedAt != after[s].StartedAt || before[s].State != after[s].State {
			t.Errorf("%s touched %s: %+v, then %+v", when, s, before[s], after[s])
		}
	}
}

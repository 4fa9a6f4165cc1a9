package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestFaultTeardownWithDeletedMountSource: a user who deleted a mounted
// directory can still look, stop and destroy (exit 2 before); only up,
// which would mount it, refuses. Nothing else of the project is touched.
func TestFaultTeardownWithDeletedMountSource(t *testing.T) {
	for _, backend := range engineNames() {
		t.Run(backend, func(t *testing.T) {
			requireEngine(t, backend)
			t.Setenv("DEVBOX_NO_NAT", "1")
			dir := t.TempDir()
			project := testenv.Project(t, "gone-"+backend)
			hcl := fmt.Sprintf(`project = %q
backend = %q
image   = "debian/12"
mount "src" {
  source = "src"
  target = "/src"
}
service "app" {
  command = ["sleep", "infinity"]
  mounts  = ["src"]
}
`, project, backend)
			for name, body := range map[string]string{"devbox.hcl": hcl, "src/a.txt": "a", "keep.txt": "keep"} {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Cleanup(func() { realRun(t, os.Getenv, "-C", dir, "destroy", "--volumes") })
			if code, out, errs := realRun(t, os.Getenv, "-C", dir, "up"); code != ExitOK {
				t.Fatalf("up: exit %d\n%s%s", code, out, errs)
			}
			if err := os.RemoveAll(filepath.Join(dir, "src")); err != nil {
				t.Fatal(err)
			}
			for _, verb := range [][]string{{"status", "--no-tui"}, {"down"}, {"destroy"}} {
				code, out, errs := realRun(t, os.Getenv, append([]string{"-C", dir}, verb...)...)
				if code != ExitOK || !strings.Contains(errs, "Mount source not found") {
					t.Errorf("%s after the source was deleted: exit %d (want 0 and a warning)\n%s%s", verb[0], code, out, errs)
				}
			}
			if code, _, errs := realRun(t, os.Getenv, "-C", dir, "up", "--dry-run"); code != ExitBadInput || !strings.Contains(errs, "does not exist") {
				t.Errorf("up without the source: exit %d, want 2 naming it\n%s", code, errs)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "keep.txt")); err != nil || string(b) != "keep" {
				t.Errorf("keep.txt changed: %q %v", b, err)
			}
		})
	}
}

// statusFake is the fake engine with a status that lets a test act while
// up prints its closing summary.
type statusFake struct {
	*enginetest.Fake
	onStatus func()
}

func (s statusFake) Status(ctx context.Context, env *envfile.Environment) ([]engine.ServiceStatus, error) {
	s.onStatus()
	var rows []engine.ServiceStatus
	for _, sv := range env.Services {
		rows = append(rows, engine.ServiceStatus{Name: sv.Name, State: engine.StateRunning})
	}
	return rows, nil
}

// TestFaultSummaryUnderTheLock: a destroy started while up checks and
// prints its summary waits for up (before, it ran at once, and up's
// summary met a half-destroyed environment and exited 1).
func TestFaultSummaryUnderTheLock(t *testing.T) {
	h := newHarness(t, shopHCL)
	var once sync.Once
	destroyed := make(chan int, 1)
	early := make(chan bool, 1)
	sf := statusFake{Fake: h.fake}
	sf.onStatus = func() {
		once.Do(func() {
			go func() {
				code, _, _ := h.run("destroy")
				destroyed <- code
			}()
			// Give a destroy that does not wait time to remove everything.
			time.Sleep(300 * time.Millisecond)
			removed := false
			for _, c := range h.fake.Calls() {
				removed = removed || strings.HasPrefix(c, "remove")
			}
			early <- removed
		})
	}
	h.open = func(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
		return sf, nil
	}
	code, out, errs := h.run("up")
	if code != ExitOK || !strings.Contains(out, "is up on") {
		t.Fatalf("up: exit %d\n%s%s", code, out, errs)
	}
	if <-early {
		t.Error("destroy removed resources while up was still checking them")
	}
	if c := <-destroyed; c != ExitOK {
		t.Errorf("destroy after up: exit %d", c)
	}
}

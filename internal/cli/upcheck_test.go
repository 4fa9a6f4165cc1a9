package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestUpFailsWhenAServiceIsNotUp: a service whose command exits at once is
// not reported as up; up exits 1 naming it, with its last log lines, on
// each engine.
func TestUpFailsWhenAServiceIsNotUp(t *testing.T) {
	for _, backend := range engineNames() {
		t.Run(backend, func(t *testing.T) {
			requireEngine(t, backend)
			t.Setenv("DEVBOX_NO_NAT", "1")
			dir := t.TempDir()
			project := testenv.Project(t, "upchk-"+backend)
			hcl := fmt.Sprintf(`project = %q
backend = %q
image   = "debian/12"
service "ok" {
  command = ["sleep", "infinity"]
}
service "boom" {
  command = ["sh", "-c", "echo it went boom; exit 3"]
  restart = "no"
}
`, project, backend)
			if err := os.WriteFile(filepath.Join(dir, "devbox.hcl"), []byte(hcl), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { realRun(t, os.Getenv, "-C", dir, "destroy", "--volumes") })
			code, out, errs := realRun(t, os.Getenv, "-C", dir, "up")
			if code != ExitFailure || !strings.Contains(errs, `service "boom"`) || !strings.Contains(errs, "it went boom") ||
				strings.Contains(errs, `service "ok"`) || strings.Contains(out, "is up on") {
				t.Errorf("up: exit %d\n%s%s", code, out, errs)
			}
		})
	}
}

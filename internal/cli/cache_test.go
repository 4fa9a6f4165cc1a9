package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestCacheLsPrune: after an up, `cache ls` lists the service's layers as
// used by the file; after the step changes, `cache prune` removes the
// layer the file no longer uses and keeps the one it does.
func TestCacheLsPrune(t *testing.T) {
	for _, name := range []string{"docker", "lxc"} {
		t.Run(name, func(t *testing.T) {
			requireEngine(t, name)
			dir := t.TempDir()
			step := fmt.Sprintf("echo %s-%d > /etc/devbox-cache-test", name, os.Getpid())
			write := func(step string) {
				hcl := fmt.Sprintf("image = \"debian/12\"\nservice \"app\" {\n  provision = [%q]\n  command = [\"sleep\", \"infinity\"]\n}\n", step)
				if err := os.WriteFile(filepath.Join(dir, "devbox.hcl"), []byte(hcl), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			project := fmt.Sprintf("cache-%s-%d", name, os.Getpid()%10000)
			run := func(args ...string) (int, string, string) {
				return realRun(t, os.Getenv, append([]string{"-C", dir, "--backend", name, "-p", project}, args...)...)
			}
			testenv.CacheExclusive(t) // prune must not pull layers from under other tests
			t.Cleanup(func() { run("destroy") })
			write(step)
			if code, out, errs := run("up"); code != 0 {
				t.Fatalf("up: %d\n%s%s", code, out, errs)
			}
			_, ls, _ := run("cache", "ls")
			used := usedLayers(ls)
			if len(used) == 0 {
				t.Fatalf("cache ls shows no layer used by the file:\n%s", ls)
			}
			write(step + " # changed")
			if code, out, errs := run("up"); code != 0 {
				t.Fatalf("second up: %d\n%s%s", code, out, errs)
			}
			if code, out, errs := run("cache", "prune"); code != 0 || !strings.Contains(out, "removed") {
				t.Fatalf("prune: %d\n%s%s", code, out, errs)
			}
			_, ls, _ = run("cache", "ls")
			now := usedLayers(ls)
			if len(now) == 0 {
				t.Errorf("prune removed the layers the file uses:\n%s", ls)
			}
			for l := range used {
				if strings.Contains(ls, l) && !now[l] {
					t.Errorf("layer %s, no longer used, survived prune:\n%s", l, ls)
				}
			}
		})
	}
}

// usedLayers returns the LAYER column of rows marked used by this file.
func usedLayers(ls string) map[string]bool {
	out := map[string]bool{}
	for _, line := range strings.Split(ls, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[len(f)-1] == "yes" {
			out[f[0]] = true
		}
	}
	return out
}

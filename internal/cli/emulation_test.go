package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/internal/testenv"
	"github.com/devbox-dev/devbox/platform"
	"github.com/devbox-dev/devbox/tools"
)

// TestRunWithoutEmulationFailsFast turns the host's i386 emulation off
// for real (echo 0 > /proc/sys/fs/binfmt_misc/qemu-i386; on a kernel that
// runs i386 itself, a handler without F stands in for it), checks that
// `devbox run` of a linux/386 tool fails at once with what, why and the
// fix, and creates no container; then `devbox setup emulation` repairs it,
// a second one changes nothing, and the tool runs.
func TestRunWithoutEmulationFailsFast(t *testing.T) {
	if testing.Short() && !testenv.Strict() {
		t.Skip("changes the host's binfmt_misc")
	}
	if os.Geteuid() != 0 {
		testenv.Missing(t, "needs root to change binfmt_misc")
	}
	for _, backend := range engineNames() {
		requireEngine(t, backend)
	}
	testenv.EmulationExclusive(t)
	breakEmulation(t)
	for _, backend := range engineNames() {
		t.Run(backend, func(t *testing.T) {
			project := testenv.Project(t, "emu-"+backend)
			dir := t.TempDir()
			hcl := fmt.Sprintf("project = %q\nbackend = %q\nimage = \"debian/12\"\n\ntool \"bits\" {\n  platform = \"linux/386\"\n  command  = [\"sh\", \"-c\"]\n}\n", project, backend)
			if err := os.WriteFile(filepath.Join(dir, "devbox.hcl"), []byte(hcl), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { realRun(t, os.Getenv, "-C", dir, "tools", "rm") })
			code, out, errs := realRun(t, os.Getenv, "-C", dir, "run", "bits", "getconf LONG_BIT")
			if code != ExitFailure || !strings.Contains(errs, `tool "bits": platform linux/386 is unavailable on this host`) ||
				!strings.Contains(errs, "fix: as root: devbox setup emulation --platform linux/386") || strings.Contains(errs, "exec format error") {
				t.Fatalf("run without emulation: exit %d\n%s%s", code, out, errs)
			}
			if toolExists(backend, tools.Name(project, "bits", os.Getuid())) {
				t.Errorf("a tool container was created before the platform check")
			}
		})
	}
	code, out, errs := realRun(t, os.Getenv, "setup", "emulation", "--platform", "linux/386")
	if code != 0 || !strings.Contains(out, "changed: ") || !strings.Contains(out, "linux/386: now ") {
		t.Fatalf("setup emulation: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = realRun(t, os.Getenv, "setup", "emulation", "--platform", "linux/386")
	if code != 0 || !strings.Contains(out, "nothing to change") || strings.Contains(out, "changed:") {
		t.Fatalf("second setup emulation is not a no-op: exit %d\n%s%s", code, out, errs)
	}
	for _, backend := range engineNames() {
		t.Run(backend+"/after-fix", func(t *testing.T) {
			requireI386Image(t, backend)
			project := testenv.Project(t, "emu-"+backend)
			dir := t.TempDir()
			hcl := fmt.Sprintf("project = %q\nbackend = %q\nimage = \"debian/12\"\n\ntool \"bits\" {\n  platform = \"linux/386\"\n  command  = [\"sh\", \"-c\"]\n}\n", project, backend)
			if err := os.WriteFile(filepath.Join(dir, "devbox.hcl"), []byte(hcl), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { realRun(t, os.Getenv, "-C", dir, "tools", "rm") })
			if code, out, errs := realRun(t, os.Getenv, "-C", dir, "run", "bits", "getconf LONG_BIT"); code != 0 || out != "32\n" {
				t.Errorf("run after the fix: exit %d %q %s", code, out, errs)
			}
		})
	}
}

// breakEmulation makes linux/386 unavailable until t ends: the qemu-i386
// handler disabled, or, where the kernel runs i386 natively, a handler
// without F registered in front of it.
func breakEmulation(t *testing.T) {
	t.Helper()
	h := platform.Read()
	a, _ := platform.Lookup("linux/386")
	entry := filepath.Join(platform.BinfmtDir, platform.HandlerName(a))
	if _, err := os.Stat(entry); err == nil {
		write(t, entry, "0")
		t.Cleanup(func() { writeIfExists(entry, "1") })
		return
	}
	if h.Compat != platform.Yes {
		t.Fatalf("linux/386 neither emulated nor native here: %s", platform.Decide(h, "linux/386"))
	}
	line := strings.TrimSuffix(platform.RegisterLine(a, "/nonexistent/qemu-i386"), "PF") // no F
	write(t, filepath.Join(platform.BinfmtDir, "register"), line)
	t.Cleanup(func() { writeIfExists(entry, "-1") })
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

func writeIfExists(path, data string) {
	if _, err := os.Stat(path); err == nil {
		_ = os.WriteFile(path, []byte(data), 0)
	}
}

func toolExists(backend, name string) bool {
	cmd := exec.Command("/usr/bin/docker", "container", "inspect", name)
	if backend == "lxc" {
		cmd = exec.Command("incus", "info", name)
	}
	return cmd.Run() == nil
}

// requireI386Image is requireI386 without its lock, for a test that holds
// the exclusive one.
func requireI386Image(t *testing.T, backend string) {
	t.Helper()
	cmd := exec.Command("/usr/bin/docker", "image", "inspect", "debian:12-i386")
	if backend == "lxc" {
		cmd = exec.Command("incus", "image", "info", "debian/12/i386")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		testenv.Missing(t, "no i386 base image on %s: %v\n%s", backend, err, out)
	}
}

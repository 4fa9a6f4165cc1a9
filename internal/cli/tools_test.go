package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/internal/testenv"
	"github.com/devbox-dev/devbox/tools"
)

func TestToolsInstallLsUninstall(t *testing.T) {
	h, _ := toolHarness(t)
	bin := filepath.Join(t.TempDir(), "bin")
	code, out, errs := h.run("--backend", "lxc", "--var", "x=1", "tools", "install", "--dir", bin)
	if code != 0 {
		t.Fatalf("install: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "is not on your PATH") {
		t.Errorf("no PATH hint: %s", out)
	}
	file := filepath.Join(h.dir, "devbox.hcl")
	for _, tool := range []string{"report", "sh32"} {
		s, ok := tools.ReadShim(filepath.Join(bin, tool))
		if !ok || s.File != file || strings.Join(s.Args, " ") != "--backend lxc --var x=1" {
			t.Errorf("shim %s: %+v %v", tool, s, ok)
		}
	}
	// Someone else's shim and a user's own file in the same directory.
	if _, err := tools.InstallShim(bin, "other", "/elsewhere/devbox.hcl", "devbox", nil); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(bin, "mine")
	if err := os.WriteFile(mine, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, _ = h.run("tools", "ls", "--dir", bin)
	if code != 0 {
		t.Fatalf("ls: exit %d", code)
	}
	for _, want := range []string{"report", "sh32", "other", "file moved or deleted", file} {
		if !strings.Contains(out, want) {
			t.Errorf("ls lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "mine") {
		t.Errorf("ls lists a file devbox did not write:\n%s", out)
	}

	// A user's file named like a tool is never replaced.
	if err := os.Remove(filepath.Join(bin, "sh32")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "sh32"), []byte("mine\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, errs = h.run("tools", "install", "--dir", bin)
	if code != ExitBadInput || !strings.Contains(errs, "not written by devbox") {
		t.Errorf("install over a user's file: exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(bin, "sh32")); string(b) != "mine\n" {
		t.Errorf("user's sh32 replaced: %q", b)
	}
	if code, _, _ := h.run("tools", "install", "--dir", bin, "nope"); code != ExitBadInput {
		t.Errorf("install nope: exit %d", code)
	}

	// uninstall removes this file's shims only; --all every devbox shim.
	code, out, _ = h.run("tools", "uninstall", "--dir", bin)
	if code != 0 || !strings.Contains(out, "removed "+filepath.Join(bin, "report")) {
		t.Errorf("uninstall: exit %d\n%s", code, out)
	}
	shimDirHolds(t, bin, "mine", "other", "sh32")
	if code, _, _ := h.run("tools", "uninstall", "--dir", bin, "--all"); code != 0 {
		t.Errorf("uninstall --all: exit %d", code)
	}
	shimDirHolds(t, bin, "mine", "sh32")
}

func shimDirHolds(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}

func TestToolsNoToolsNoFile(t *testing.T) {
	h := newHarness(t, shopHCL)
	if code, _, errs := h.run("tools", "install", "--dir", t.TempDir()); code != ExitBadInput || !strings.Contains(errs, "no tool blocks") {
		t.Errorf("install without tools: exit %d: %s", code, errs)
	}
	empty := &harness{t: t, dir: t.TempDir()}
	if code, out, _ := empty.run("tools", "ls", "--dir", t.TempDir()); code != 0 || !strings.Contains(out, "no devbox shims") {
		t.Errorf("ls without a file: exit %d: %s", code, out)
	}
	if code, _, errs := empty.run("tools", "uninstall", "--dir", t.TempDir()); code != ExitBadInput || !strings.Contains(errs, "--all") {
		t.Errorf("uninstall without a file: exit %d: %s", code, errs)
	}
}

// toolUserDir is a directory under a world-searchable parent, owned by
// the uid the real-engine tests run tools as, removed at the end.
func toolUserDir(t testing.TB, uid int) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "devbox-cli-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, uid); err != nil {
		t.Fatal(err)
	}
	return dir
}

// toolDevboxBin builds the devbox binary into a directory anyone may run
// it from.
func toolDevboxBin(t testing.TB) string {
	t.Helper()
	dir := toolUserDir(t, os.Getuid())
	bin := filepath.Join(dir, "devbox")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "github.com/devbox-dev/devbox/cmd/devbox")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// requireI386 skips (fails in CI) when the engine lacks the 32-bit image,
// and keeps emulation on while t runs.
func requireI386(t *testing.T, backend string) {
	t.Helper()
	testenv.EmulationShared(t)
	requireI386Image(t, backend)
}

// TestShimRunsToolAsUser installs shims with the real binary and runs a
// 32-bit tool through one, by name, from another directory, as uid 1000
// (with the sockets' groups), on each engine.
func TestShimRunsToolAsUser(t *testing.T) {
	for _, backend := range engineNames() {
		t.Run(backend, func(t *testing.T) {
			requireEngine(t, backend)
			requireI386(t, backend)
			uid, cred := 1000, &syscall.Credential{Uid: 1000, Gid: 1000, Groups: []uint32{0}}
			if g, err := user.LookupGroup("docker"); err == nil {
				gid, _ := strconv.Atoi(g.Gid)
				cred.Groups = append(cred.Groups, uint32(gid))
			}
			if os.Getuid() != 0 {
				uid, cred = os.Getuid(), nil // cannot switch: run as ourselves
			}
			bin := toolDevboxBin(t)
			proj, work, shims, home := toolUserDir(t, uid), toolUserDir(t, uid), toolUserDir(t, uid), toolUserDir(t, uid)
			project := testenv.Project(t, "shim-"+backend)
			hcl := fmt.Sprintf("project = %q\nbackend = %q\nimage = \"debian/12\"\n\ntool \"bits\" {\n  platform = \"linux/386\"\n  command  = [\"sh\", \"-c\"]\n  pass_env = [\"GREETING\"]\n}\n", project, backend)
			file := filepath.Join(proj, "devbox.hcl")
			if err := os.WriteFile(file, []byte(hcl), 0o644); err != nil {
				t.Fatal(err)
			}
			as := func(dir, stdin string, args ...string) (int, string, string) {
				t.Helper()
				cmd := exec.Command(args[0], args[1:]...)
				cmd.Dir = dir
				cmd.Env = []string{"HOME=" + home, "PATH=" + shims + ":/usr/local/bin:/usr/bin:/bin", "GREETING=hi there"}
				cmd.Stdin = strings.NewReader(stdin)
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
				var out, errb strings.Builder
				cmd.Stdout, cmd.Stderr = &out, &errb
				err := cmd.Run()
				var ee *exec.ExitError
				if err != nil && !errors.As(err, &ee) {
					t.Fatalf("%v: %v", args, err)
				}
				return cmd.ProcessState.ExitCode(), out.String(), errb.String()
			}
			t.Cleanup(func() {
				if code, out, errs := as(proj, "", bin, "tools", "rm"); code != 0 {
					t.Errorf("tools rm: exit %d\n%s%s", code, out, errs)
				}
			})
			if code, out, errs := as(proj, "", bin, "tools", "install", "--dir", shims); code != 0 {
				t.Fatalf("tools install: exit %d\n%s%s", code, out, errs)
			}
			// Typed by name, from another directory.
			script := `uname -m; getconf LONG_BIT; od -An -tx1 -j4 -N1 /bin/busybox; id -u; pwd; echo "$GREETING"; cat; echo made >f`
			code, out, errs := as(work, "from stdin\n", "/bin/sh", "-c", `exec bits "$@"`, "sh", script)
			want := fmt.Sprintf("i686\n32\n 01\n%d\n%s\nhi there\nfrom stdin\n", uid, work)
			if code != 0 || out != want {
				t.Fatalf("shim: exit %d\nout %q\nwant %q\nerr %s", code, out, want, errs)
			}
			st, err := os.Stat(filepath.Join(work, "f"))
			if err != nil {
				t.Fatal(err)
			}
			if s := st.Sys().(*syscall.Stat_t); int(s.Uid) != uid {
				t.Errorf("file written by the tool belongs to %d, want %d", s.Uid, uid)
			}
			if code, _, _ := as(work, "", "/bin/sh", "-c", `exec bits "exit 9"`); code != 9 {
				t.Errorf("exit code through the shim: %d, want 9", code)
			}
			// The file moves: the shim says so.
			if err := os.Rename(file, file+".moved"); err != nil {
				t.Fatal(err)
			}
			code, _, errs = as(work, "", filepath.Join(shims, "bits"), "true")
			if code != 127 || !strings.Contains(errs, file+" has moved or been deleted; rerun devbox tools install") {
				t.Errorf("moved file: exit %d: %s", code, errs)
			}
			if err := os.Rename(file+".moved", file); err != nil {
				t.Fatal(err)
			}
			if code, out, errs := as(proj, "", bin, "tools", "uninstall", "--dir", shims); code != 0 || !strings.Contains(out, "removed") {
				t.Errorf("tools uninstall: exit %d\n%s%s", code, out, errs)
			}
			shimDirHolds(t, shims)
		})
	}
}

// TestRunTTY runs the real binary under script(1), on a terminal: the
// program sees a TTY of the terminal's size, reads what is typed and its
// exit code comes back. (TERM=screen is only a plain, common terminal
// type; nothing in devbox queries the terminal on start.)
func TestRunTTY(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		testenv.Missing(t, "no script(1)")
	}
	for _, backend := range engineNames() {
		t.Run(backend, func(t *testing.T) {
			requireEngine(t, backend)
			bin := toolDevboxBin(t)
			dir := toolUserDir(t, os.Getuid())
			project := testenv.Project(t, "tty-"+backend)
			hcl := fmt.Sprintf("project = %q\nbackend = %q\nimage = \"debian/12\"\n\ntool \"sh\" {\n  command = [\"sh\", \"-c\"]\n}\n", project, backend)
			if err := os.WriteFile(filepath.Join(dir, "devbox.hcl"), []byte(hcl), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = exec.Command(bin, "-C", dir, "tools", "rm").Run() })
			// Warm it up first: the cold start prints progress on the terminal.
			if out, err := exec.Command(bin, "-C", dir, "run", "sh", "true").CombinedOutput(); err != nil {
				t.Fatalf("cold run: %v\n%s", err, out)
			}
			inner := fmt.Sprintf(`stty cols 123 rows 45; %s -C %s run sh 'test -t 0 && test -t 1 && echo tty; stty size; read x; echo "got $x"; exit 4'`, bin, dir)
			cmd := exec.Command(script, "-qec", inner, "/dev/null")
			cmd.Env = append(os.Environ(), "TERM=screen")
			in, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1500 * time.Millisecond)
			_, _ = in.Write([]byte("typed\n"))
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("hung; output so far: %q", out.String())
			}
			in.Close()
			got := strings.ReplaceAll(out.String(), "\r", "")
			if code := cmd.ProcessState.ExitCode(); code != 4 {
				t.Errorf("exit %d (%v), want 4; output %q", code, err, got)
			}
			for _, want := range []string{"tty\n", "45 123\n", "got typed\n"} {
				if !strings.Contains(got, want) {
					t.Errorf("output lacks %q: %q", want, got)
				}
			}
		})
	}
}

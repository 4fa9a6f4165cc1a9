package cli

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/backends/lxc"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// lspHCL is a two-service project: web answers HTTP on 8080, forwarded
// to host; idle sleeps.
func lspHCL(project, backend string, host int) string {
	return fmt.Sprintf(`project = %q
backend = %q
image   = "debian/12"
service "web" {
  command = ["/bin/sh", "-c", "mkdir -p /srv && echo web-ok-%s >/srv/index.html && exec busybox httpd -f -p 8080 -h /srv"]
  port "http" {
    port = 8080
    host = %d
  }
}
service "idle" {
  command = ["sleep", "infinity"]
}
`, project, backend, backend, host)
}

// TestLsPortCpRealEngines brings one project up on docker and one on lxc
// and checks, on the real engines: ls lists both with their backend,
// state, running/total and directory (partial after one service is
// stopped by hand, stopped after down); the same file from another
// directory changes nothing (the directory is in no hash); port prints
// the forwarded address, which answers; cp copies a directory in and back
// out with contents and modes equal, and a single file both ways.
func TestLsPortCpRealEngines(t *testing.T) {
	requireEngine(t, "docker")
	requireEngine(t, "lxc")
	t.Setenv("DEVBOX_NO_NAT", "1")
	hostPort := map[string]int{"docker": 19700, "lxc": 19701}
	dirs, projects := map[string]string{}, map[string]string{}
	for _, backend := range []string{"docker", "lxc"} {
		dir, project := t.TempDir(), testenv.Project(t, "lsp-"+backend)
		dirs[backend], projects[backend] = dir, project
		writeFile(t, dir, lspHCL(project, backend, hostPort[backend]))
		t.Cleanup(func() { realRun(t, os.Getenv, "-C", dir, "destroy", "--volumes") })
		if code, out, errs := realRun(t, os.Getenv, "-C", dir, "up"); code != 0 {
			t.Fatalf("%s up: exit %d\n%s%s", backend, code, out, errs)
		}
	}
	checkLs(t, projects, dirs, "running", 2)

	// The same file elsewhere: nothing to do, so the dir is in no hash.
	moved := t.TempDir()
	writeFile(t, moved, lspHCL(projects["docker"], "docker", hostPort["docker"]))
	if code, out, errs := realRun(t, os.Getenv, "-C", moved, "up"); code != 0 || !strings.Contains(out, "nothing to do") {
		t.Errorf("up of the same file from another directory: exit %d, want nothing to do\n%s%s", code, out, errs)
	}
	writeFile(t, moved, lspHCL(projects["lxc"], "lxc", hostPort["lxc"]))
	if code, out, errs := realRun(t, os.Getenv, "-C", moved, "up"); code != 0 || !strings.Contains(out, "nothing to do") {
		t.Errorf("lxc up of the same file from another directory: exit %d, want nothing to do\n%s%s", code, out, errs)
	}

	for _, backend := range []string{"docker", "lxc"} {
		t.Run(backend, func(t *testing.T) {
			dir := dirs[backend]
			checkPort(t, dir, backend, hostPort[backend])
			checkCp(t, dir)
		})
	}

	// One service stopped by hand: partial, 1/2.
	stopByHand(t, "docker", projects["docker"])
	stopByHand(t, "lxc", projects["lxc"])
	checkLs(t, projects, dirs, "partial", 1)
	for _, backend := range []string{"docker", "lxc"} {
		if code, out, errs := realRun(t, os.Getenv, "-C", dirs[backend], "down"); code != 0 {
			t.Fatalf("%s down: exit %d\n%s%s", backend, code, out, errs)
		}
	}
	checkLs(t, projects, dirs, "stopped", 0)
}

func stopByHand(t *testing.T, backend, project string) {
	t.Helper()
	cmd := exec.Command("docker", "stop", "-t", "0", project+"-idle")
	if backend == "lxc" {
		cmd = exec.Command("incus", "exec", lxc.InstanceName(project), "--", "systemctl", "stop", "devbox-idle.service")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: stop idle by hand: %v\n%s", backend, err, out)
	}
}

// checkLs runs ls from a directory with no devbox.hcl, as table and JSON.
func checkLs(t *testing.T, projects, dirs map[string]string, state string, running int) {
	t.Helper()
	empty := t.TempDir()
	code, out, errs := realRun(t, os.Getenv, "-C", empty, "ls", "--json")
	if code != 0 {
		t.Fatalf("ls --json: exit %d\n%s%s", code, out, errs)
	}
	var rows []engine.ProjectInfo
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("ls --json: %v\n%s", err, out)
	}
	for backend, project := range projects {
		want := engine.ProjectInfo{Project: project, Backend: backend, State: state, Running: running, Total: 2, Dir: dirs[backend]}
		found := false
		for _, r := range rows {
			if r.Project == project {
				found = true
				if r != want {
					t.Errorf("ls: %+v, want %+v", r, want)
				}
			}
		}
		if !found {
			t.Errorf("ls lists no %s (%s):\n%s", project, backend, out)
		}
	}
	_, table, _ := realRun(t, os.Getenv, "-C", empty, "ls")
	for backend, project := range projects {
		line := fmt.Sprintf("%s %s %s %d/2 %s", project, backend, state, running, dirs[backend])
		if !strings.Contains(squeeze(table), line) {
			t.Errorf("ls table lacks %q:\n%s", line, table)
		}
	}
}

func squeeze(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

func checkPort(t *testing.T, dir, backend string, host int) {
	t.Helper()
	code, out, errs := realRun(t, os.Getenv, "-C", dir, "port", "web", "8080")
	want := fmt.Sprintf("127.0.0.1:%d", host)
	if code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("port web 8080: exit %d %q, want %s\n%s", code, out, want, errs)
	}
	if body := getWithRetry(t, "http://"+want+"/", 20*time.Second); !strings.Contains(body, "web-ok-"+backend) {
		t.Errorf("GET %s: %q", want, body)
	}
	if code, _, errs := realRun(t, os.Getenv, "-C", dir, "port", "idle", "8080"); code != ExitFailure || !strings.Contains(errs, "does not publish 8080/tcp") {
		t.Errorf("port idle 8080: exit %d, want 1 saying not published\n%s", code, errs)
	}
	if code, _, _ := realRun(t, os.Getenv, "-C", dir, "port", "nope", "8080"); code != ExitBadInput {
		t.Errorf("port nope 8080: exit %d, want 2", code)
	}
}

func checkCp(t *testing.T, dir string) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "tree")
	files := map[string]fs.FileMode{"a.txt": 0o644, "run.sh": 0o755, "sub/secret": 0o600, "sub/deep/x": 0o640}
	for rel, mode := range files {
		p := filepath.Join(src, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("content of "+rel), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
	}
	os.Chmod(filepath.Join(src, "sub"), 0o750)
	// A link travels as a link both ways, never as what it points at.
	if err := os.Symlink("../a.txt", filepath.Join(src, "sub", "link")); err != nil {
		t.Fatal(err)
	}
	cp := func(args ...string) {
		t.Helper()
		if code, out, errs := realRun(t, os.Getenv, append([]string{"-C", dir, "cp"}, args...)...); code != 0 {
			t.Fatalf("cp %v: exit %d\n%s%s", args, code, out, errs)
		}
	}
	cp(src, "web:/tmp/lsp-in") // absent: created as /tmp/lsp-in
	if _, out, _ := realRun(t, os.Getenv, "-C", dir, "exec", "web", "--", "stat", "-c", "%a %u", "/tmp/lsp-in/sub/secret"); strings.TrimSpace(out) != "600 0" {
		t.Errorf("in the service, sub/secret is %q, want mode 600 owned by root", out)
	}
	if _, out, _ := realRun(t, os.Getenv, "-C", dir, "exec", "web", "--", "readlink", "/tmp/lsp-in/sub/link"); strings.TrimSpace(out) != "../a.txt" {
		t.Errorf("in the service, sub/link reads %q, want a link to ../a.txt", out)
	}
	back := t.TempDir()
	cp("web:tmp/lsp-in", back) // relative to /; back exists: lands in back/lsp-in
	compareTrees(t, src, filepath.Join(back, "lsp-in"))

	// tar stores a file's second name as a hard link: both arrive.
	if code, out, errs := realRun(t, os.Getenv, "-C", dir, "exec", "web", "--", "sh", "-c",
		"mkdir -p /tmp/lsp-h && echo hi >/tmp/lsp-h/a && ln -f /tmp/lsp-h/a /tmp/lsp-h/b"); code != 0 {
		t.Fatalf("make a hard link: exit %d\n%s%s", code, out, errs)
	}
	cp("web:/tmp/lsp-h", back)
	for _, n := range []string{"a", "b"} {
		if b, err := os.ReadFile(filepath.Join(back, "lsp-h", n)); err != nil || string(b) != "hi\n" {
			t.Errorf("hard-linked %s copied out: %q %v", n, b, err)
		}
	}

	one := filepath.Join(t.TempDir(), "one.conf")
	os.WriteFile(one, []byte("single"), 0o604)
	os.Chmod(one, 0o604)
	cp(one, "web:/tmp")
	out := t.TempDir()
	cp("web:/tmp/one.conf", filepath.Join(out, "renamed.conf"))
	if b, err := os.ReadFile(filepath.Join(out, "renamed.conf")); err != nil || string(b) != "single" {
		t.Errorf("one file back: %q %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(out, "renamed.conf")); err != nil || fi.Mode() != 0o604 {
		t.Errorf("one file back: %v %v, want mode 0604", fi.Mode(), err)
	}
	if code, _, errs := realRun(t, os.Getenv, "-C", dir, "cp", "web:/nope/x", out); code != ExitFailure || !strings.Contains(errs, "no such file") {
		t.Errorf("cp of a missing source: exit %d, want 1 saying so\n%s", code, errs)
	}
	if code, _, errs := realRun(t, os.Getenv, "-C", dir, "cp", filepath.Join(out, "absent"), "web:/tmp"); code != ExitFailure || !strings.Contains(errs, "no such file") {
		t.Errorf("cp of a missing host source: exit %d, want 1 saying so\n%s", code, errs)
	}
}

// compareTrees: the same files, contents and modes (directories too).
func compareTrees(t *testing.T, a, b string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		ai, _ := os.Lstat(p)
		bi, err := os.Lstat(filepath.Join(b, rel))
		if err != nil {
			t.Errorf("%s: missing in the copy: %v", rel, err)
			return nil
		}
		n++
		if ai.Mode() != bi.Mode() {
			t.Errorf("%s: mode %v, want %v", rel, bi.Mode(), ai.Mode())
		}
		if !d.IsDir() {
			ac, _ := os.ReadFile(p)
			bc, _ := os.ReadFile(filepath.Join(b, rel))
			if string(ac) != string(bc) {
				t.Errorf("%s: content %q, want %q", rel, bc, ac)
			}
		}
		return nil
	})
	if l, err := os.Readlink(filepath.Join(b, "sub", "link")); err != nil || l != "../a.txt" {
		t.Errorf("sub/link in the copy: %q %v, want a link to ../a.txt", l, err)
	}
	if err != nil || n < 8 {
		t.Errorf("compared %d entries (%v)", n, err)
	}
}

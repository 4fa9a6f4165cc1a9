package lxc

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// socketStdio runs cmd with stdout and stderr on one end of a unix socket
// pair, as systemd gives a service the journal, and returns what arrived
// at the other end and the exit code.
func socketStdio(t *testing.T, cmd *exec.Cmd) (string, int) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "ours"), os.NewFile(uintptr(fds[1]), "theirs")
	defer ours.Close()
	cmd.Stdout, cmd.Stderr = theirs, theirs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	theirs.Close()
	var got bytes.Buffer
	done := make(chan struct{})
	go func() { _, _ = io.Copy(&got, ours); close(done) }()
	err = cmd.Wait()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("output did not end")
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return got.String(), code
}

// TestStdioWrapper: with fd 1 and 2 on a socket, a program opening
// /dev/stdout and /dev/stderr fails bare (ENXIO) and works through the
// wrapper, with bash and with the FIFO fallback (no bash on PATH); the
// program keeps the wrapper's PID and its exit code.
func TestStdioWrapper(t *testing.T) {
	prog := []string{"sh", "-c", `echo "pid $$"; echo to-stdout >/dev/stdout && echo to-stderr >/dev/stderr; exit 7`}
	out, _ := socketStdio(t, exec.Command(prog[0], prog[1:]...))
	if strings.Contains(out, "to-stdout") || !strings.Contains(out, "No such device") {
		t.Fatalf("bare on a socket: %q; want ENXIO (the case the wrapper is for)", out)
	}
	noBash := t.TempDir()
	for _, tool := range []string{"sh", "cat", "mkfifo", "mktemp", "rm"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(p, filepath.Join(noBash, tool)); err != nil {
			t.Fatal(err)
		}
	}
	for name, path := range map[string]string{"bash": os.Getenv("PATH"), "fifo": noBash} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command("/bin/sh", stdioCommand("x", prog)[1:]...)
			cmd.Env = []string{"PATH=" + path}
			out, code := socketStdio(t, cmd)
			if code != 7 {
				t.Errorf("exit %d, want 7; output %q", code, out)
			}
			want := fmt.Sprintf("pid %d\n", cmd.Process.Pid)
			for _, w := range []string{want, "to-stdout\n", "to-stderr\n"} {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
		})
	}
}

// TestServiceOpensDevStderr: a service that opens /dev/stderr and
// /dev/stdout by path stays up, its lines reach its logs, and its main
// PID is the program itself.
func TestServiceOpensDevStderr(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxstd"), Image: "debian/12", Services: []envfile.Service{{
		Name:    "app",
		Command: []string{"sh", "-c", "echo to-stderr > /dev/stderr; echo to-stdout > /dev/stdout; exec sleep infinity"},
	}}}
	cleanup(t, b, env)
	up(t, b, env)
	inst := InstanceName(env.Project)
	var logs bytes.Buffer
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		logs.Reset()
		if err := b.Logs(ctx, env, "app", false, 0, &logs); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(logs.String(), "to-stderr") && strings.Contains(logs.String(), "to-stdout") {
			break
		}
	}
	if !strings.Contains(logs.String(), "to-stderr") || !strings.Contains(logs.String(), "to-stdout") {
		t.Errorf("logs lack the lines:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), " sh[") {
		t.Errorf("log lines are not named after the program (sh):\n%s", logs.String())
	}
	out, err := b.sh(ctx, inst, "u="+UnitName("app")+`; systemctl is-active $u; cat /proc/$(systemctl show -p MainPID --value $u)/comm`)
	if err != nil || out != "active\nsleep\n" {
		t.Errorf("unit state and main process: %q, %v", out, err)
	}
}

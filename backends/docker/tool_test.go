package docker

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
	"github.com/devbox-dev/devbox/tools"
)

const toolHCL = `
image = "debian/12"
tool "bits" {
  platform = "linux/386"
  command  = ["sh", "-c"]
  env      = { FROM_FILE = "file" }
  pass_env = ["FROM_HOST"]
}
`

// userDir makes a directory owned by uid 1000 under a world-readable
// parent, removed when the test ends.
func userDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "devbox-tool-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 1000, 1000); err != nil {
		t.Fatal(err)
	}
	return dir
}

type toolRun struct {
	t       *testing.T
	b       *Backend
	env     *envfile.Environment
	opts    engine.ToolOptions
	signals chan os.Signal
	out, er bytes.Buffer
}

func (r *toolRun) run(script, stdin string) int {
	r.t.Helper()
	r.out.Reset()
	r.er.Reset()
	io := engine.Stdio{Out: &r.out, Err: &r.er, Signals: r.signals}
	if stdin != "" {
		io.In = strings.NewReader(stdin)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	code, err := r.b.RunTool(ctx, r.env, "bits", []string{script}, r.opts, io)
	if err != nil {
		r.t.Fatalf("RunTool %q: %v", script, err)
	}
	return code
}

// TestToolRuns32Bit runs a tool on the offline i386 image as uid 1000:
// real 32-bit programs, files owned by the user, exit code, stdin, env,
// a warm second call, a second working directory, signals and cancel.
func TestToolRuns32Bit(t *testing.T) {
	b := newBackend(t)
	ctx := context.Background()
	if _, err := b.cli.ImageInspect(ctx, "debian:12-i386"); err != nil {
		if testenv.Strict() {
			t.Fatalf("debian:12-i386 missing (run .ci/images-i386): %v", err)
		}
		testenv.Missing(t, "debian:12-i386 missing (run .ci/images-i386): %v", err)
	}
	project := testenv.Project(t, "dktool")
	env, _, diags := envfile.Parse(filepath.Join(t.TempDir(), "devbox.hcl"), []byte(`project = "`+project+`"`+toolHCL), envfile.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cleanup := func() {
		if _, err := b.RemoveTools(context.Background(), project, nil); err != nil {
			t.Errorf("RemoveTools: %v", err)
		}
	}
	cleanup()
	t.Cleanup(cleanup)
	dir := userDir(t)
	lookup := func(k string) (string, bool) { return map[string]string{"FROM_HOST": "host"}[k], k == "FROM_HOST" }
	r := &toolRun{t: t, b: b, env: env, opts: engine.ToolOptions{Workdir: dir, UID: 1000, GID: 1000, Env: tools.Environ(env.Tool("bits"), lookup, false)}}

	start := time.Now()
	code := r.run(`uname -m; getconf LONG_BIT; for f in /bin/busybox "$(command -v getconf)"; do od -An -tx1 -j4 -N1 "$f"; done; busybox uname -m`, "")
	cold := time.Since(start)
	if got := strings.Fields(r.out.String()); code != 0 || strings.Join(got, " ") != "i686 32 01 01 i686" {
		t.Fatalf("32-bit checks: exit %d, out %q, err %q; want i686, LONG_BIT 32, ELF class 01 (32-bit) twice", code, r.out.String(), r.er.String())
	}
	id := toolContainerID(t, b, project)

	start = time.Now()
	if code := r.run(`id -u; id -g; pwd; echo "$HOME"; echo made >out.txt`, ""); code != 0 {
		t.Fatalf("exit %d: %s", code, r.er.String())
	}
	warm := time.Since(start)
	t.Logf("cold run %v, warm run %v", cold, warm)
	if got := strings.Fields(r.out.String()); strings.Join(got, " ") != "1000 1000 "+dir+" "+tools.Home {
		t.Errorf("id/pwd/HOME = %q", got)
	}
	st, err := os.Stat(filepath.Join(dir, "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Sys().(*syscall.Stat_t); s.Uid != 1000 || s.Gid != 1000 {
		t.Errorf("out.txt belongs to %d:%d, want 1000:1000", s.Uid, s.Gid)
	}
	if got := toolContainerID(t, b, project); got != id {
		t.Errorf("second call made a new container (%s, was %s)", got, id)
	}

	if code := r.run("echo oops >&2; exit 7", ""); code != 7 || r.er.String() != "oops\n" {
		t.Errorf("exit %d stderr %q, want 7 and oops", code, r.er.String())
	}
	if code := r.run("tr a-z A-Z", "hello\nworld\n"); code != 0 || r.out.String() != "HELLO\nWORLD\n" {
		t.Errorf("stdin: exit %d out %q", code, r.out.String())
	}
	if code := r.run(`echo "$FROM_FILE $FROM_HOST"`, ""); code != 0 || r.out.String() != "file host\n" {
		t.Errorf("env: %q", r.out.String())
	}

	// Another directory is mounted next to the first, same container.
	other := userDir(t)
	r.opts.Workdir = other
	if code := r.run(`pwd; cat `+dir+`/out.txt`, ""); code != 0 || r.out.String() != other+"\nmade\n" {
		t.Errorf("second directory: exit %d out %q err %q", code, r.out.String(), r.er.String())
	}
	r.opts.Workdir = dir

	// Signals reach the program; cancelling kills it.
	sigs := make(chan os.Signal, 1)
	r.signals = sigs
	go func() {
		time.Sleep(1500 * time.Millisecond)
		sigs <- syscall.SIGTERM
	}()
	if code := r.run(`trap 'echo got TERM; exit 42' TERM; while :; do sleep 0.1; done`, ""); code != 42 || r.out.String() != "got TERM\n" {
		t.Errorf("SIGTERM: exit %d out %q", code, r.out.String())
	}
	r.signals = nil
	cctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = b.RunTool(cctx, env, "bits", []string{"sleep 1234"}, r.opts, engine.Stdio{Out: &r.out})
	if err == nil || time.Since(start) > 10*time.Second {
		t.Errorf("cancelled RunTool: %v after %v", err, time.Since(start))
	}
	time.Sleep(300 * time.Millisecond)
	if code := r.run("busybox ps | grep -c '[s]leep 1234'", ""); strings.TrimSpace(r.out.String()) != "0" {
		t.Errorf("sleep still running after cancel (exit %d): %q", code, r.out.String())
	}
}

func toolContainerID(t *testing.T, b *Backend, project string) string {
	t.Helper()
	cs, err := b.cli.ContainerList(context.Background(), container.ListOptions{All: true, Filters: projectFilter(project, tools.Kind)})
	if err != nil || len(cs) != 1 {
		t.Fatalf("tool containers of %s: %d, %v", project, len(cs), err)
	}
	return cs[0].ID
}

// TestToolConcurrentColdStart: parallel first calls make one container and
// all succeed.
func TestToolConcurrentColdStart(t *testing.T) {
	b := newBackend(t)
	project := testenv.Project(t, "dktoolpar")
	env, _, diags := envfile.Parse(filepath.Join(t.TempDir(), "devbox.hcl"),
		[]byte(`project = "`+project+`"`+"\nimage = \"debian/12\"\ntool \"bits\" {\n  command = [\"sh\", \"-c\"]\n}\n"), envfile.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	t.Cleanup(func() { _, _ = b.RemoveTools(context.Background(), project, nil) })
	dir := userDir(t)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			var out bytes.Buffer
			code, err := b.RunTool(context.Background(), env, "bits", []string{"echo ok"}, engine.ToolOptions{Workdir: dir, UID: 1000, GID: 1000}, engine.Stdio{Out: &out})
			if err == nil && (code != 0 || out.String() != "ok\n") {
				err = fmt.Errorf("exit %d, out %q", code, out.String())
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	toolContainerID(t, b, project) // exactly one
}

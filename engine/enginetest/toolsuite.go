package enginetest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
	"github.com/devbox-dev/devbox/tools"
)

// ToolHCL is the tool block ToolSuite runs: a 32-bit shell.
const ToolHCL = `
image = "debian/12"
tool "bits" {
  platform = "linux/386"
  command  = ["sh", "-c"]
  env      = { FROM_FILE = "file" }
  pass_env = ["FROM_HOST"]
}
`

// ToolTarget is what ToolSuite needs of a backend: a runner, a way to
// remove the project's tool objects, and the identity of the one warm tool
// object (which must not change between calls).
type ToolTarget struct {
	Runner engine.ToolRunner
	Remove func(ctx context.Context, project string) error
	WarmID func(t *testing.T, project string) string
	// Mounted, when set, lists the host directories the engine has
	// mounted in the project's tool objects (from the engine, not labels).
	Mounted func(t *testing.T, project string) []string
	Project string
}

// ToolSuite is the conformance test of a ToolRunner, run by each backend
// against its real engine: a tool on the offline i386 image as uid 1000
// runs real 32-bit programs, writes files the user owns, passes exit code,
// stdin and env, is warm on the second call, has only the current run's
// working directory mounted (runs in two at once both work), gets
// signals, and is killed when cancelled.
func ToolSuite(t *testing.T, tg ToolTarget) {
	testenv.EmulationShared(t) // 32-bit programs may need the host's emulation
	ctx := context.Background()
	env, _, diags := envfile.Parse(filepath.Join(t.TempDir(), "devbox.hcl"), []byte(`project = "`+tg.Project+`"`+ToolHCL), envfile.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cleanup := func() {
		if err := tg.Remove(context.Background(), tg.Project); err != nil {
			t.Errorf("remove tools: %v", err)
		}
	}
	cleanup()
	t.Cleanup(cleanup)
	dir := UserDir(t)
	lookup := func(k string) (string, bool) { return map[string]string{"FROM_HOST": "host"}[k], k == "FROM_HOST" }
	opts := engine.ToolOptions{Workdir: dir, UID: 1000, GID: 1000, Env: tools.Environ(env.Tool("bits"), lookup, false)}
	var out, errb bytes.Buffer
	var signals chan os.Signal
	run := func(script, stdin string) int {
		t.Helper()
		out.Reset()
		errb.Reset()
		io := engine.Stdio{Out: &out, Err: &errb, Signals: signals}
		if stdin != "" {
			io.In = strings.NewReader(stdin)
		}
		rctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		defer cancel()
		code, err := tg.Runner.RunTool(rctx, env, "bits", []string{script}, opts, io)
		if err != nil {
			t.Fatalf("RunTool %q: %v", script, err)
		}
		return code
	}

	start := time.Now()
	code := run(`uname -m; getconf LONG_BIT; for f in /bin/busybox "$(command -v getconf)"; do od -An -tx1 -j4 -N1 "$f"; done; busybox uname -m`, "")
	cold := time.Since(start)
	if got := strings.Fields(out.String()); code != 0 || strings.Join(got, " ") != "i686 32 01 01 i686" {
		t.Fatalf("32-bit checks: exit %d, out %q, err %q; want i686, LONG_BIT 32, ELF class 01 (32-bit) twice", code, out.String(), errb.String())
	}
	id := tg.WarmID(t, tg.Project)

	start = time.Now()
	if code := run(`id -u; id -g; pwd; echo "$HOME"; echo made >out.txt`, ""); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	t.Logf("cold run %v, warm run %v", cold, time.Since(start))
	if got := strings.Fields(out.String()); strings.Join(got, " ") != "1000 1000 "+dir+" "+tools.Home {
		t.Errorf("id/pwd/HOME = %q", got)
	}
	st, err := os.Stat(filepath.Join(dir, "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Sys().(*syscall.Stat_t); s.Uid != 1000 || s.Gid != 1000 {
		t.Errorf("out.txt belongs to %d:%d, want 1000:1000", s.Uid, s.Gid)
	}
	if got := tg.WarmID(t, tg.Project); got != id {
		t.Errorf("second call made a new tool container (%s, was %s)", got, id)
	}
	observedTool(t, tg, dir)

	if code := run("echo oops >&2; exit 7", ""); code != 7 || errb.String() != "oops\n" {
		t.Errorf("exit %d stderr %q, want 7 and oops", code, errb.String())
	}
	if code := run("tr a-z A-Z", "hello\nworld\n"); code != 0 || out.String() != "HELLO\nWORLD\n" {
		t.Errorf("stdin: exit %d out %q", code, out.String())
	}
	if code := run(`echo "$FROM_FILE $FROM_HOST"`, ""); code != 0 || out.String() != "file host\n" {
		t.Errorf("env: %q", out.String())
	}

	// Only the current run's directory is mounted: after a run in other,
	// dir's files are out of the tool's reach, yet runs in both at once
	// each keep theirs.
	other := UserDir(t)
	opts.Workdir = other
	if code := run(`pwd; echo other >out.txt; cat `+dir+`/out.txt 2>/dev/null || echo gone`, ""); code != 0 || out.String() != other+"\ngone\n" {
		t.Errorf("a run in a second directory sees the first: exit %d out %q err %q", code, out.String(), errb.String())
	}
	if tg.Mounted != nil {
		if got := tg.Mounted(t, tg.Project); strings.Join(got, " ") != other {
			t.Errorf("mounted after a run in %s: %v, want only it", other, got)
		}
	}
	concurrentDirs(t, tg, env, opts, dir, other)
	opts.Workdir = dir

	// Signals reach the program; cancelling kills it.
	signals = make(chan os.Signal, 1)
	go func(ch chan os.Signal) {
		time.Sleep(1500 * time.Millisecond)
		ch <- syscall.SIGTERM
	}(signals)
	if code := run(`trap 'echo got TERM; exit 42' TERM; while :; do sleep 0.1; done`, ""); code != 42 || out.String() != "got TERM\n" {
		t.Errorf("SIGTERM: exit %d out %q", code, out.String())
	}
	signals = nil
	cctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = tg.Runner.RunTool(cctx, env, "bits", []string{"sleep 1234"}, opts, engine.Stdio{Out: &out})
	if err == nil || time.Since(start) > 10*time.Second {
		t.Errorf("cancelled RunTool: %v after %v", err, time.Since(start))
	}
	time.Sleep(300 * time.Millisecond)
	if code := run("busybox ps | grep -c '[s]leep 1234'", ""); strings.TrimSpace(out.String()) != "0" {
		t.Errorf("sleep still running after cancel (exit %d): %q", code, out.String())
	}
}

// observedTool checks that plans see the warm tool container: one, of
// the tool and user, running, hashed, with dir mounted (when the runner
// is an engine.ToolObserver).
func observedTool(t *testing.T, tg ToolTarget, dir string) {
	t.Helper()
	to, ok := tg.Runner.(engine.ToolObserver)
	if !ok {
		return
	}
	cs, err := to.ObserveTools(context.Background(), tg.Project, "", -1)
	if err != nil || len(cs) != 1 {
		t.Fatalf("ObserveTools: %v, %v; want one tool container", cs, err)
	}
	c := cs[0]
	if r := c.Resource(); r.Ref().String() != "tool/bits-1000" || !c.Running || c.Hash == "" || c.Name != tools.Name(tg.Project, "bits", 1000) {
		t.Errorf("observed %+v as %s", c, r.Ref())
	}
	if len(c.Dirs) != 1 || c.Dirs[0] != dir {
		t.Errorf("observed mounts %v, want %s", c.Dirs, dir)
	}
}

// concurrentDirs runs the tool in dirs a and b at the same time (each
// waits, inside the tool, until both have started) and checks that each
// still reads its own directory's out.txt.
func concurrentDirs(t *testing.T, tg ToolTarget, env *envfile.Environment, opts engine.ToolOptions, a, b string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	type result struct {
		code int
		out  string
		err  error
	}
	res := map[string]chan result{a: make(chan result, 1), b: make(chan result, 1)}
	for d, ch := range res {
		o := opts
		o.Workdir = d
		go func() {
			var out bytes.Buffer
			code, err := tg.Runner.RunTool(ctx, env, "bits", []string{`touch started; while [ ! -e go ]; do sleep 0.1; done; cat out.txt`}, o, engine.Stdio{Out: &out, Err: &out})
			ch <- result{code, out.String(), err}
		}()
	}
	for _, d := range []string{a, b} {
		for {
			if _, err := os.Stat(filepath.Join(d, "started")); err == nil {
				break
			}
			select {
			case r := <-res[d]:
				t.Fatalf("concurrent run in %s ended before the other started: exit %d %v: %s", d, r.code, r.err, r.out)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	for _, d := range []string{a, b} {
		if err := os.WriteFile(filepath.Join(d, "go"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{a: "made\n", b: "other\n"}
	for d, ch := range res {
		if r := <-ch; r.err != nil || r.code != 0 || r.out != want[d] {
			t.Errorf("concurrent run in %s: exit %d, %v, out %q, want %q", d, r.code, r.err, r.out, want[d])
		}
	}
	for _, d := range []string{a, b} {
		_ = os.Remove(filepath.Join(d, "started"))
		_ = os.Remove(filepath.Join(d, "go"))
	}
}

// UserDir makes a directory owned by uid 1000 under a world-readable
// parent, removed when the test ends.
func UserDir(t *testing.T) string {
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

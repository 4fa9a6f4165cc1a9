package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/backends"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
	"github.com/devbox-dev/devbox/platform"
	"github.com/devbox-dev/devbox/tools"
)

const toolsHCL = `project = "legacy"
backend = "docker"
image   = "debian/12"

variable "x" {
  default = 0
}

tool "report" {
  platform = "linux/386"
  command  = ["java", "-jar", "/opt/report.jar"]
  env      = { FROM_FILE = "1" }
  pass_env = ["JAVA_OPTS", "UNSET"]
}

tool "sh32" {
  platform = "linux/386"
  command  = ["sh"]
}
`

// toolFake is the in-memory backend plus a recording ToolRunner.
type toolFake struct {
	*enginetest.Fake
	code    int
	tool    string
	args    []string
	opts    engine.ToolOptions
	stdio   engine.Stdio
	removed []string
}

func (f *toolFake) RunTool(ctx context.Context, env *envfile.Environment, tool string, args []string, opts engine.ToolOptions, io engine.Stdio) (int, error) {
	f.tool, f.args, f.opts, f.stdio = tool, args, opts, io
	fmt.Fprintf(io.Out, "ran %s %s\n", tool, strings.Join(args, " "))
	return f.code, nil
}

func (f *toolFake) RemoveTools(ctx context.Context, project string, names []string) ([]string, error) {
	f.removed = append([]string{project}, names...)
	return []string{"devbox-tool-" + project + "-x"}, nil
}

// ObserveTools reports one warm container, so plans show it.
func (f *toolFake) ObserveTools(ctx context.Context, project, tool string, uid int) ([]engine.ToolContainer, error) {
	return []engine.ToolContainer{{Name: "devbox-tool-" + project + "-x", Tool: "report", UID: 1000, Slot: 1, Running: true}}, nil
}

func (f *toolFake) RemoveTool(ctx context.Context, name string) error {
	f.removed = append(f.removed, name)
	return nil
}

func toolHarness(t *testing.T) (*harness, *toolFake) {
	h := newHarness(t, toolsHCL)
	f := &toolFake{Fake: h.fake}
	h.open = func(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
		return f, nil
	}
	return h, f
}

func TestRunPassesArgsAndExitCode(t *testing.T) {
	h, f := toolHarness(t)
	f.code = 5
	code, out, errs := h.run("run", "report", "--help", "-v", "in file.csv")
	if code != 5 {
		t.Fatalf("exit %d, want the tool's 5\n%s%s", code, out, errs)
	}
	if f.tool != "report" || !reflect.DeepEqual(f.args, []string{"--help", "-v", "in file.csv"}) {
		t.Errorf("ran %s %q", f.tool, f.args)
	}
	if f.opts.Workdir != h.dir || f.opts.UID != os.Getuid() || f.opts.GID != os.Getgid() {
		t.Errorf("opts %+v, want workdir %s and our uid/gid", f.opts, h.dir)
	}
	// The harness's environment has no JAVA_OPTS: only the file's env.
	if !reflect.DeepEqual(f.opts.Env, map[string]string{"FROM_FILE": "1"}) {
		t.Errorf("env %v", f.opts.Env)
	}
	if f.stdio.Signals == nil {
		t.Error("signals are not forwarded")
	}
	if out != "ran report --help -v in file.csv\n" || errs != "" {
		t.Errorf("out %q errs %q", out, errs)
	}
	f.code = 0
	if code, _, _ := h.run("run", "sh32"); code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestRunBadInput(t *testing.T) {
	h, _ := toolHarness(t)
	code, _, errs := h.run("run", "nope")
	if code != ExitBadInput || !strings.Contains(errs, `no tool "nope"`) || !strings.Contains(errs, "report, sh32") {
		t.Errorf("unknown tool: exit %d: %s", code, errs)
	}
	if code, _, _ := h.run("run"); code != ExitBadInput {
		t.Errorf("no tool: exit %d", code)
	}
	// A backend that cannot run tools is a runtime failure.
	h.open = func(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
		return h.fake, nil
	}
	if code, _, errs := h.run("run", "report"); code != ExitFailure || !strings.Contains(errs, "cannot run tools") {
		t.Errorf("backend without tools: exit %d: %s", code, errs)
	}
}

func TestToolsRm(t *testing.T) {
	h, f := toolHarness(t)
	code, out, errs := h.run("tools", "rm", "report")
	if code != 0 || !reflect.DeepEqual(f.removed, []string{"legacy", "report"}) || !strings.Contains(out, "removed devbox-tool-legacy-x") {
		t.Errorf("tools rm: exit %d removed %v\n%s%s", code, f.removed, out, errs)
	}
	if code, _, _ := h.run("tools", "rm", "nope"); code != ExitBadInput {
		t.Errorf("tools rm nope: exit %d", code)
	}
}

// BenchmarkRunWarm times a warm `devbox run` (the real binary, as a user
// runs it) against the engine's own CLI exec of the same program in the
// same container (Debian's /usr/bin/docker exec, incus exec), interleaved,
// and reports both, their ratio and the cold first run: for a native tool
// (env true) and for a 32-bit one (getconf LONG_BIT on linux/386, emulated
// by qemu-i386 where the kernel refuses i386).
func BenchmarkRunWarm(b *testing.B) {
	for _, backend := range engineNames() {
		b.Run(backend, func(b *testing.B) {
			testenv.Require(b, backend, func() error {
				be, err := backends.Registry().Open(context.Background(), backend, &envfile.Environment{})
				if err != nil {
					return err
				}
				return be.Close()
			})
			b.Run("native", func(b *testing.B) { benchRun(b, backend, "", []string{"env", "true"}) })
			b.Run("i386", func(b *testing.B) {
				testenv.EmulationShared(b)
				b.Logf("linux/386 here: %s", platform.Decide(platform.Read(), "linux/386"))
				benchRun(b, backend, "linux/386", []string{"getconf", "LONG_BIT"})
			})
		})
	}
}

// benchRun is one BenchmarkRunWarm case: a tool on platform (empty: the
// host's) whose command is prog[0], run with prog[1:].
func benchRun(b *testing.B, backend, platformName string, prog []string) {
	bin := toolDevboxBin(b)
	dir := toolUserDir(b, os.Getuid())
	project := testenv.Project(b, "bench-"+backend)
	hcl := fmt.Sprintf("project = %q\nbackend = %q\nimage = \"debian/12\"\n\ntool \"t\" {\n  platform = %q\n  command = [%q]\n}\n",
		project, backend, platformName, prog[0])
	if platformName == "" {
		hcl = strings.Replace(hcl, "  platform = \"\"\n", "", 1)
	}
	if err := os.WriteFile(filepath.Join(dir, "devbox.hcl"), []byte(hcl), 0o644); err != nil {
		b.Fatal(err)
	}
	run := func(args ...string) time.Duration {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out)
		}
		return time.Since(start)
	}
	run(bin, "tools", "rm")
	b.Cleanup(func() { run(bin, "tools", "rm") })
	ours := append([]string{bin, "run", "t"}, prog[1:]...)
	cold := run(ours...)
	name := tools.Name(project, "t", os.Getuid())
	uid, gid := strconv.Itoa(os.Getuid()), strconv.Itoa(os.Getgid())
	native := append([]string{"/usr/bin/docker", "exec", "-u", uid + ":" + gid, "-w", dir, name}, prog...)
	if backend == "lxc" {
		native = append([]string{"incus", "exec", "--user", uid, "--group", gid, "--cwd", dir, name, "--"}, prog...)
	}
	run(native...) // warm both up
	run(ours...)
	var mine, theirs time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mine += run(ours...)
		theirs += run(native...)
	}
	n := float64(b.N)
	b.ReportMetric(float64(mine.Nanoseconds())/n, "ns/op")
	b.ReportMetric(float64(mine.Microseconds())/n/1000, "devbox-ms/op")
	b.ReportMetric(float64(theirs.Microseconds())/n/1000, filepath.Base(native[0])+"-exec-ms/op")
	b.ReportMetric(float64(mine)/float64(theirs), "ratio")
	b.ReportMetric(float64(cold.Microseconds())/1000, "cold-ms")
}

// TestDestroyRemovesWarmToolContainers: destroy plans the removal of the
// project's tool containers and removes them through the plan; down,
// plan and destroy --dry-run show or keep them.
func TestDestroyRemovesWarmToolContainers(t *testing.T) {
	h, f := toolHarness(t)
	code, out, errs := h.run("destroy", "--dry-run")
	if code != 0 || f.removed != nil || !regexp.MustCompile(`- tool/report-1000 +remove`).MatchString(out) {
		t.Fatalf("destroy --dry-run: exit %d, removed %v\n%s%s", code, f.removed, out, errs)
	}
	code, out, errs = h.run("destroy")
	if code != 0 || !reflect.DeepEqual(f.removed, []string{"devbox-tool-legacy-x"}) {
		t.Fatalf("destroy: exit %d, RemoveTool called with %v\n%s%s", code, f.removed, out, errs)
	}
	if !strings.Contains(out, "tool/report-1000") {
		t.Errorf("destroy's plan does not show the tool container:\n%s", out)
	}
	f.removed = nil
	if code, _, _ := h.run("down"); code != 0 || f.removed != nil {
		t.Errorf("down removed tool containers: %v", f.removed)
	}
	code, out, _ = h.run("plan")
	if code != 0 || f.removed != nil || !regexp.MustCompile(`= tool/report-1000 +keep +warm for devbox run`).MatchString(out) {
		t.Errorf("plan: exit %d, removed %v\n%s", code, f.removed, out)
	}
	code, out, _ = h.run("--json", "destroy", "--dry-run")
	if code != 0 || !strings.Contains(out, `"kind": "tool"`) {
		t.Errorf("destroy --dry-run --json: exit %d\n%s", code, out)
	}
}

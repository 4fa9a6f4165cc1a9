package cli

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/envfile"
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
	removed []string
}

func (f *toolFake) RunTool(ctx context.Context, env *envfile.Environment, tool string, args []string, opts engine.ToolOptions, io engine.Stdio) (int, error) {
	f.tool, f.args, f.opts = tool, args, opts
	fmt.Fprintf(io.Out, "ran %s %s\n", tool, strings.Join(args, " "))
	return f.code, nil
}

func (f *toolFake) RemoveTools(ctx context.Context, project string, names []string) ([]string, error) {
	f.removed = append([]string{project}, names...)
	return []string{"devbox-tool-" + project + "-x"}, nil
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
	if f.opts.Signals == nil {
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

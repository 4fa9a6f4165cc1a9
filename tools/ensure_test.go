package tools

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// memTools is an in-memory engine.ToolBackend that records the calls
// tools.Ensure makes; hot adds engine.ToolMounter.
type memTools struct {
	mu    sync.Mutex
	image string
	cs    map[string]engine.ToolContainer
	calls []string
}

func (m *memTools) Name() string { return "mem" }

func (m *memTools) ToolImage(ctx context.Context, t *envfile.Tool, p engine.Progress) (engine.ToolImage, error) {
	return engine.ToolImage{ID: m.image}, nil
}

func (m *memTools) ObserveTools(ctx context.Context, project, tool string, uid int) ([]engine.ToolContainer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []engine.ToolContainer
	for _, c := range m.cs {
		c.Dirs = slices.Clone(c.Dirs)
		out = append(out, c)
	}
	return out, nil
}

func (m *memTools) record(call string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, call)
}

func (m *memTools) RemoveTool(ctx context.Context, name string) error {
	m.record("remove " + name)
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.cs, name)
	return nil
}

func (m *memTools) CreateTool(ctx context.Context, env *envfile.Environment, t *envfile.Tool, img engine.ToolImage, c engine.ToolContainer, opts engine.ToolOptions) (engine.ToolContainer, error) {
	m.record("create " + c.Name + " " + strings.Join(c.Dirs, ","))
	m.mu.Lock()
	defer m.mu.Unlock()
	c.ID = "id-" + c.Name
	m.cs[c.Name] = c
	return c, nil
}

func (m *memTools) StartTool(ctx context.Context, c engine.ToolContainer) error {
	m.record("start " + c.Name)
	return nil
}

func (m *memTools) ExecTool(ctx context.Context, c engine.ToolContainer, t *envfile.Tool, args []string, opts engine.ToolOptions, io engine.Stdio) (int, error) {
	return 0, nil
}

type hotTools struct{ *memTools }

func (h hotTools) MountTool(ctx context.Context, c engine.ToolContainer, mount string, unmount []string) error {
	h.record("mount " + c.Name + " +" + mount + " -" + strings.Join(unmount, ","))
	h.mu.Lock()
	defer h.mu.Unlock()
	c = h.cs[c.Name]
	var dirs []string
	for _, d := range c.Dirs {
		if !slices.Contains(unmount, d) {
			dirs = append(dirs, d)
		}
	}
	if mount != "" {
		dirs = append(dirs, mount)
	}
	c.Dirs = dirs
	h.cs[c.Name] = c
	return nil
}

func ensureEnv(t *testing.T) (*envfile.Environment, *envfile.Tool) {
	t.Helper()
	t.Setenv("DEVBOX_LOCK_DIR", t.TempDir())
	env := &envfile.Environment{Project: "p", File: "devbox.hcl", Tools: []envfile.Tool{{Name: "javac", Command: []string{"javac"}}}}
	return env, &env.Tools[0]
}

// ensure readies the tool for a run in dir and tidies up as Run does
// (without an exec).
func ensure(t *testing.T, tb engine.ToolBackend, env *envfile.Environment, tool *envfile.Tool, dir string) (engine.ToolContainer, *Lease) {
	t.Helper()
	l, err := Ensure(context.Background(), tb, env, tool, engine.ToolOptions{Workdir: dir, UID: 1000, GID: 1000, Progress: engine.Discard})
	if err != nil {
		t.Fatalf("ensure in %s: %v", dir, err)
	}
	<-l.Tidy(context.Background(), tb, engine.Discard)
	return l.Container, l
}

func (m *memTools) took() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := strings.Join(m.calls, "; ")
	m.calls = nil
	return s
}

func TestEnsureFixedMounts(t *testing.T) {
	env, tool := ensureEnv(t)
	m := &memTools{image: "img1", cs: map[string]engine.ToolContainer{}}
	base := Name("p", "javac", 1000)
	c, l := ensure(t, m, env, tool, "/a")
	if got := m.took(); got != "create "+base+" /a" || c.ID != "id-"+base {
		t.Fatalf("cold: %s, %+v", got, c)
	}
	l.Release()
	if _, l = ensure(t, m, env, tool, "/a"); m.took() != "" {
		t.Error("warm run changed something")
	}
	// While /a runs, a run in /b gets slot 2; once /a is done, a run in
	// /b removes the idle slot 1 and keeps using slot 2.
	c, lb := ensure(t, m, env, tool, "/b")
	if got := m.took(); got != "create "+base+"-2 /b" || c.Name != base+"-2" {
		t.Errorf("second directory while the first runs: %s", got)
	}
	lb.Release()
	l.Release()
	if _, l = ensure(t, m, env, tool, "/b"); m.took() != "remove "+base {
		t.Errorf("cleanup: %v", m.cs)
	}
	l.Release()
	// The tool changed: slot 1 is made, and the idle slot 2 goes (while
	// the program would run).
	m.image = "img2"
	c, l = ensure(t, m, env, tool, "/b")
	l.Release()
	if got := m.took(); got != "create "+base+" /b; remove "+base+"-2" || c.Name != base || len(m.cs) != 1 {
		t.Errorf("after a change: %s, %v", got, m.cs)
	}
}

func TestEnsureHotMount(t *testing.T) {
	env, tool := ensureEnv(t)
	m := &memTools{image: "img1", cs: map[string]engine.ToolContainer{}}
	h := hotTools{m}
	base := Name("p", "javac", 1000)
	_, la := ensure(t, h, env, tool, "/a")
	m.took()
	// /a is in use: /b is plugged in beside it.
	_, lb := ensure(t, h, env, tool, "/b")
	if got := m.took(); got != "mount "+base+" +/b -" {
		t.Errorf("second directory: %s", got)
	}
	// The tool changed while runs use the instance: refused.
	m.image = "img2"
	if _, err := Ensure(context.Background(), h, env, tool, engine.ToolOptions{Workdir: "/b", UID: 1000, GID: 1000, Progress: engine.Discard}); err == nil || !strings.Contains(err.Error(), "still uses its instance") {
		t.Errorf("changed while in use: %v", err)
	}
	m.image = "img1"
	la.Release()
	lb.Release()
	// Nothing runs: a run in /b unplugs /a.
	_, lb = ensure(t, h, env, tool, "/b")
	if got := m.took(); got != "mount "+base+" + -/a" {
		t.Errorf("unplug: %s", got)
	}
	lb.Release()
	if _, l := ensure(t, h, env, tool, "/b"); m.took() != "" {
		t.Error("warm run changed something")
	} else {
		l.Release()
	}
}

func TestRemoveAll(t *testing.T) {
	m := &memTools{cs: map[string]engine.ToolContainer{
		"a": {Name: "a", Tool: "javac"}, "b": {Name: "b", Tool: "jq"},
	}}
	gone, err := RemoveAll(context.Background(), m, "p", []string{"jq"})
	if err != nil || strings.Join(gone, ",") != "b" || len(m.cs) != 1 {
		t.Errorf("removed %v, %v; left %v", gone, err, m.cs)
	}
}

func TestSlotOf(t *testing.T) {
	for name, want := range map[string]int{"x": 1, "x-2": 2, "x-10": 10, "x-1": 0, "x-y": 0, "y": 0} {
		if got := SlotOf(name, "x"); got != want {
			t.Errorf("SlotOf(%q) = %d, want %d", name, got, want)
		}
	}
}

package engine

import (
	"bytes"
	"strings"
	"testing"
)

const toolBase = "devbox-tool-p-javac-u1000"

func want(dir string, hot bool) ToolWant {
	return ToolWant{Tool: "javac", UID: 1000, Base: toolBase, Hash: "h1", Dir: dir, HotMount: hot}
}

func tc(slot int, hash string, running bool, dirs []string, inUse ...string) ToolContainer {
	return ToolContainer{Name: SlotName(toolBase, slot), Tool: "javac", UID: 1000, Slot: slot, Hash: hash, Running: running, Dirs: dirs, InUse: inUse}
}

// steps renders a plan as "op name [mount] [-unmount...]" lines.
func steps(p ToolPlan) string {
	var out []string
	for _, s := range p.Steps {
		l := string(s.Op) + " " + s.Container.Resource().Name
		if s.Old != nil {
			l += " (was " + s.Old.Resource().Name + ")"
		}
		if s.Mount != "" {
			l += " +" + s.Mount
		}
		for _, u := range s.Unmount {
			l += " -" + u
		}
		out = append(out, l)
	}
	return strings.Join(out, "; ") + " => " + p.Use
}

func TestPlanTool(t *testing.T) {
	a, b, c := []string{"/a"}, []string{"/b"}, []string{"/c"}
	s2 := SlotName(toolBase, 2)
	for _, tt := range []struct {
		name     string
		want     ToolWant
		observed []ToolContainer
		steps    string
	}{
		{"none: create", want("/a", false), nil, "create javac-1000 => " + toolBase},
		{"warm: keep", want("/a", false), []ToolContainer{tc(1, "h1", true, a)}, "keep javac-1000 => " + toolBase},
		{"stopped: start", want("/a", false), []ToolContainer{tc(1, "h1", false, a)}, "start javac-1000 => " + toolBase},
		{"changed: replace", want("/a", false), []ToolContainer{tc(1, "h0", true, a)}, "replace javac-1000 (was javac-1000) => " + toolBase},
		{"interrupted create: replace", want("/a", true), []ToolContainer{tc(1, "", false, a)}, "replace javac-1000 (was javac-1000) => " + toolBase},
		// docker: mounts are fixed, so another directory replaces an idle
		// container and takes a new slot beside a busy one.
		{"fixed mounts, other dir idle: replace", want("/b", false), []ToolContainer{tc(1, "h1", true, a)}, "replace javac-1000 (was javac-1000) => " + toolBase},
		{"fixed mounts, other dir busy: slot 2", want("/b", false), []ToolContainer{tc(1, "h1", true, a, "/a")}, "create javac-1000-2 => " + s2},
		{"fixed mounts, warm in slot 2, idle slot 1 removed", want("/b", false),
			[]ToolContainer{tc(1, "h1", true, a), tc(2, "h1", true, b)}, "remove javac-1000; keep javac-1000-2 => " + s2},
		{"fixed mounts, warm in slot 2, busy slot 1 stays", want("/b", false),
			[]ToolContainer{tc(1, "h1", true, a, "/a"), tc(2, "h1", true, b)}, "keep javac-1000-2 => " + s2},
		{"fixed mounts, idle others go, free slot reused", want("/c", false),
			[]ToolContainer{tc(1, "h1", true, a, "/a"), tc(2, "h0", true, b), tc(3, "h1", true, c[:0])}, "remove javac-1000-3; replace javac-1000-2 (was javac-1000-2) => " + s2},
		// lxc: one instance; directories are hot-plugged and unplugged.
		{"hot: swap directory", want("/b", true), []ToolContainer{tc(1, "h1", true, a)}, "swap-directory javac-1000 +/b -/a => " + toolBase},
		{"hot: busy directory stays", want("/b", true), []ToolContainer{tc(1, "h1", true, a, "/a")}, "swap-directory javac-1000 +/b => " + toolBase},
		{"hot: unplug idle others", want("/a", true), []ToolContainer{tc(1, "h1", true, []string{"/a", "/b", "/c"}, "/c")}, "swap-directory javac-1000 -/b => " + toolBase},
		{"hot: swap then start", want("/b", true), []ToolContainer{tc(1, "h1", false, a)}, "swap-directory javac-1000 +/b -/a; start javac-1000 => " + toolBase},
		{"hot: changed and idle: replace", want("/b", true), []ToolContainer{tc(1, "h0", true, []string{"/a", "/b"})}, "replace javac-1000 (was javac-1000) => " + toolBase},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanTool(tt.want, tt.observed)
			if err != nil {
				t.Fatal(err)
			}
			if got := steps(p); got != tt.steps {
				t.Errorf("plan\n got %s\nwant %s", got, tt.steps)
			}
			if tt.steps == "keep javac-1000 => "+toolBase && !p.Warm() {
				t.Error("a lone keep is not Warm")
			}
		})
	}
}

func TestPlanToolNewGetsTheDirectory(t *testing.T) {
	p, err := PlanTool(want("/b", false), []ToolContainer{tc(1, "h1", true, []string{"/a"}, "/a")})
	if err != nil {
		t.Fatal(err)
	}
	got := p.Steps[len(p.Steps)-1].Container
	if got.Hash != "h1" || len(got.Dirs) != 1 || got.Dirs[0] != "/b" || got.Slot != 2 || got.UID != 1000 {
		t.Errorf("new container %+v", got)
	}
}

func TestPlanToolBusy(t *testing.T) {
	// lxc: the tool changed while a run elsewhere uses the instance.
	_, err := PlanTool(want("/b", true), []ToolContainer{tc(1, "h0", true, []string{"/a"}, "/a")})
	if err == nil || !strings.Contains(err.Error(), "another devbox run in /a still uses its instance") {
		t.Errorf("changed and busy: %v", err)
	}
	// docker: every slot is in use.
	var full []ToolContainer
	for n := 1; n <= ToolSlots; n++ {
		full = append(full, tc(n, "h1", true, []string{"/x"}, "/x"))
	}
	_, err = PlanTool(want("/b", false), full)
	if err == nil || !strings.Contains(err.Error(), "runs in 8 other directories") {
		t.Errorf("all slots busy: %v", err)
	}
}

func TestPlanToolNeverTouchesABusyContainer(t *testing.T) {
	for _, hot := range []bool{false, true} {
		busy := tc(1, "h0", true, []string{"/a"}, "/a")
		p, err := PlanTool(want("/a", hot), []ToolContainer{busy, tc(2, "h0", true, []string{"/b"}, "/b")})
		if err != nil {
			if hot {
				continue // one instance, in use: an error, not a removal
			}
			t.Fatal(err)
		}
		for _, s := range p.Steps {
			if s.Container.Name == busy.Name || (s.Old != nil && s.Old.Name == busy.Name) {
				t.Errorf("hot=%v: step %s on a container a run uses", hot, s.Op)
			}
		}
	}
}

func TestUpToolsKeepsThem(t *testing.T) {
	acts := UpTools(func(tool string) bool { return tool == "javac" }, []ToolContainer{
		{Name: "x-2", Tool: "javac", UID: 1000, Slot: 2, Running: true},
		{Name: "y", Tool: "gone", UID: 0, Slot: 1},
		{Name: "x", Tool: "javac", UID: 1000, Slot: 1, Running: true},
	})
	var got []string
	for _, a := range acts {
		got = append(got, string(a.Op)+" "+a.Resource.Ref().String()+" "+a.Resource.ID)
	}
	if w := "keep tool/gone-0 y,keep tool/javac-1000 x,keep tool/javac-1000-2 x-2"; strings.Join(got, ",") != w {
		t.Errorf("got %v, want %s", got, w)
	}
	if !strings.Contains(acts[0].Reason, "no longer in the file") {
		t.Errorf("reason %q", acts[0].Reason)
	}
	p := Plan{Project: "p", Backend: "docker", Actions: acts}
	if p.Changes() != 0 {
		t.Errorf("tool lines count as %d changes of up", p.Changes())
	}
}

func TestDestroyRemovesTools(t *testing.T) {
	r := ToolContainer{Name: toolBase, Tool: "javac", UID: 1000, Slot: 1, Running: true}.Resource()
	p := Destroy("p", "lxc", []Resource{r}, false)
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "- tool/javac-1000  remove") {
		t.Errorf("destroy plan:\n%s", b.String())
	}
	if p.Actions[0].Resource.ID != toolBase {
		t.Errorf("the remove does not name the container: %+v", p.Actions[0].Resource)
	}
}

func TestToolPlanWrite(t *testing.T) {
	p, _ := PlanTool(want("/b", false), []ToolContainer{tc(1, "h0", true, []string{"/a"})})
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "~ tool/javac-1000") || !strings.Contains(b.String(), "replace") || !strings.Contains(b.String(), "tool changed") {
		t.Errorf("write:\n%s", b.String())
	}
}

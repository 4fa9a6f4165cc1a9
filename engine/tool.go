package engine

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/devbox-dev/devbox/envfile"
)

// KindTool is a tool block's warm container (docker) or instance (lxc)
// for one user. `devbox run` makes it; plans show it, destroy removes it.
const KindTool Kind = "tool"

// OpSwapDir mounts the run's directory in a tool container that stays and
// unmounts the ones no run uses (lxc hot-plugs them).
const OpSwapDir Op = "swap-directory"

// ToolSlots bounds the containers of one tool and user where mounts are
// fixed at create (docker): one per directory a run is using at once.
const ToolSlots = 8

// ToolImage is a tool's resolved base image: ID goes into the config
// hash; Base is the backend's own handle of it, given back to CreateTool.
type ToolImage struct {
	ID   string
	Base any
}

// ToolContainer is one tool container or instance, as observed or as a
// plan wants it made.
type ToolContainer struct {
	// Name is the engine's name: devbox-tool-<project>-<tool>-u<uid>, with
	// -N for the Nth slot.
	Name string `json:"name"`
	ID   string `json:"id,omitempty"`
	Tool string `json:"tool"`
	UID  int    `json:"uid"`
	// Slot is 1 for the base name, N for -N, 0 for a name of neither form.
	Slot int `json:"slot"`
	// Hash is the config hash; empty for an interrupted create.
	Hash    string   `json:"hash,omitempty"`
	Running bool     `json:"running"`
	Dirs    []string `json:"dirs,omitempty"` // host directories mounted
	// InUse are the Dirs a running `devbox run` holds (their locks, probed
	// by the caller): they are never unmounted, nor their container removed.
	InUse []string `json:"in_use,omitempty"`
	Home  string   `json:"home,omitempty"` // the user's home, where the backend records it
}

// Resource is c as a plan shows it: tool/<tool>-<uid>, -N for slot N.
func (c ToolContainer) Resource() Resource {
	name := c.Tool + "-" + strconv.Itoa(c.UID)
	if c.Slot > 1 {
		name += "-" + strconv.Itoa(c.Slot)
	}
	state := StateStopped
	if c.Running {
		state = StateRunning
	}
	return Resource{Kind: KindTool, Name: name, Hash: c.Hash, ID: c.Name, State: state}
}

func (c ToolContainer) idle() bool { return len(c.InUse) == 0 }

// SlotName is the name of slot n of the container named base.
func SlotName(base string, n int) string {
	if n <= 1 {
		return base
	}
	return base + "-" + strconv.Itoa(n)
}

// ToolWant is what a run needs: a running container of Tool for UID with
// config Hash and Dir mounted.
type ToolWant struct {
	Tool string `json:"tool"`
	UID  int    `json:"uid"`
	Base string `json:"base"` // the slot-1 container name
	Hash string `json:"hash"`
	Dir  string `json:"dir"`
	// HotMount says the engine mounts and unmounts directories of a running
	// container: one container then serves every directory. Without it
	// each container has one, and runs elsewhere at once get other slots.
	HotMount bool `json:"hot_mount,omitempty"`
}

// ToolStep is one step of a ToolPlan.
type ToolStep struct {
	Op Op `json:"op"`
	// Container is the one acted on; for create and replace, the new one.
	Container ToolContainer  `json:"container"`
	Old       *ToolContainer `json:"old,omitempty"` // what a replace removes first
	Mount     string         `json:"mount,omitempty"`
	Unmount   []string       `json:"unmount,omitempty"`
	Reason    string         `json:"reason,omitempty"`
}

// ToolPlan is what one `devbox run` does before it execs: removals of idle
// containers first, then the steps that ready Use.
type ToolPlan struct {
	Want  ToolWant   `json:"want"`
	Steps []ToolStep `json:"steps"`
	Use   string     `json:"use"` // the container the program runs in
}

// Warm reports whether the plan does nothing but use a container as it is.
func (p ToolPlan) Warm() bool {
	return len(p.Steps) == 1 && p.Steps[0].Op == OpKeep
}

// PlanTool decides, from the tool's observed containers (with the
// directories runs use), how a run gets a running container of w.Hash
// with w.Dir mounted. It is pure: every decision of `devbox run` before
// the exec is made here. A container a run uses is never touched.
func PlanTool(w ToolWant, observed []ToolContainer) (ToolPlan, error) {
	cs := append([]ToolContainer(nil), observed...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Slot < cs[j].Slot })
	p := ToolPlan{Want: w}
	fit := -1
	for i, c := range cs {
		if c.Hash == w.Hash && slices.Contains(c.Dirs, w.Dir) && (fit < 0 || c.Slot == 1) {
			fit = i
		}
	}
	if fit < 0 && w.HotMount {
		fit = slices.IndexFunc(cs, func(c ToolContainer) bool { return c.Hash == w.Hash })
	}
	if fit >= 0 {
		return planFit(p, cs, fit), nil
	}
	return planNew(p, cs)
}

// planFit uses cs[fit], which has the hash (and the directory, or can
// mount it), and removes the other idle containers.
func planFit(p ToolPlan, cs []ToolContainer, fit int) ToolPlan {
	c, w := cs[fit], p.Want
	for i, o := range cs {
		if i != fit && o.idle() {
			p.Steps = append(p.Steps, ToolStep{Op: OpRemove, Container: o, Reason: "idle (left by runs that overlapped)"})
		}
	}
	swap := ToolStep{Op: OpSwapDir, Container: c}
	if !slices.Contains(c.Dirs, w.Dir) {
		swap.Mount = w.Dir
	}
	if w.HotMount {
		for _, d := range c.Dirs {
			if d != w.Dir && !slices.Contains(c.InUse, d) {
				swap.Unmount = append(swap.Unmount, d)
			}
		}
	}
	if swap.Mount != "" || len(swap.Unmount) > 0 {
		swap.Reason = swapReason(swap)
		p.Steps = append(p.Steps, swap)
	}
	switch {
	case !c.Running:
		p.Steps = append(p.Steps, ToolStep{Op: OpStart, Container: c, Reason: "is stopped"})
	case swap.Reason == "":
		p.Steps = append(p.Steps, ToolStep{Op: OpKeep, Container: c, Reason: "warm"})
	}
	p.Use = c.Name
	return p
}

func swapReason(s ToolStep) string {
	var r []string
	if s.Mount != "" {
		r = append(r, "mount "+s.Mount)
	}
	if len(s.Unmount) > 0 {
		r = append(r, "unmount "+strings.Join(s.Unmount, ", ")+" (no run uses it)")
	}
	return strings.Join(r, "; ")
}

// planNew makes a container in the first slot no run uses, replacing the
// idle one there and removing the other idle ones.
func planNew(p ToolPlan, cs []ToolContainer) (ToolPlan, error) {
	w := p.Want
	taken := map[int]bool{}
	for _, c := range cs {
		if !c.idle() {
			taken[c.Slot] = true
		}
	}
	slots := ToolSlots
	if w.HotMount {
		slots = 1
	}
	slot := 0
	for n := 1; n <= slots && slot == 0; n++ {
		if !taken[n] {
			slot = n
		}
	}
	if slot == 0 {
		return p, busyError(w, cs)
	}
	nc := ToolContainer{Name: SlotName(w.Base, slot), Tool: w.Tool, UID: w.UID, Slot: slot, Hash: w.Hash, Running: true, Dirs: []string{w.Dir}}
	var old *ToolContainer
	for _, c := range cs {
		switch {
		case !c.idle():
		case c.Slot == slot && old == nil:
			o := c
			old = &o
		default:
			p.Steps = append(p.Steps, ToolStep{Op: OpRemove, Container: c, Reason: "idle (left by runs that overlapped)"})
		}
	}
	step := ToolStep{Op: OpCreate, Container: nc, Reason: "not found"}
	if slot > 1 {
		step.Reason = "slot " + strconv.Itoa(slot) + ": runs in other directories use the others"
	}
	if old != nil {
		step.Op, step.Old, step.Reason = OpReplace, old, replaceReason(*old, w)
	}
	p.Steps = append(p.Steps, step)
	p.Use = nc.Name
	return p, nil
}

func replaceReason(old ToolContainer, w ToolWant) string {
	switch {
	case old.Hash == "":
		return "its setup was interrupted"
	case old.Hash != w.Hash:
		return "tool changed"
	default:
		return "swap directory: has " + strings.Join(old.Dirs, ", ") + " mounted"
	}
}

func busyError(w ToolWant, cs []ToolContainer) error {
	if w.HotMount && len(cs) > 0 {
		return fmt.Errorf("tool %q changed, but another devbox run in %s still uses its instance %s; run it again when that one ends",
			w.Tool, strings.Join(cs[0].InUse, ", "), cs[0].Name)
	}
	return fmt.Errorf("tool %q: runs in %d other directories are using its containers; run it again when one ends", w.Tool, len(cs))
}

// UpTools are the tool containers' lines of an up plan: kept, since up
// leaves them to `devbox run` (which replaces one when its tool changes)
// and to destroy and `devbox tools rm` (which remove them).
func UpTools(inFile func(tool string) bool, observed []ToolContainer) []Action {
	cs := append([]ToolContainer(nil), observed...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Resource().Name < cs[j].Resource().Name })
	var out []Action
	for _, c := range cs {
		a := Action{Op: OpKeep, Resource: c.Resource(), Reason: "warm for devbox run"}
		if !inFile(c.Tool) {
			a.Reason = "no longer in the file (destroy or devbox tools rm removes it)"
		}
		out = append(out, a)
	}
	return out
}

var toolSigns = map[Op]string{
	OpCreate: "+", OpReplace: "~", OpStart: ">", OpRemove: "-", OpKeep: "=", OpSwapDir: "~",
}

// Write prints the plan for people, one step a line, as Plan.Write does.
func (p ToolPlan) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "tool plan for %s in %s:\n", p.Want.Base, p.Want.Dir)
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "  %s %-16s  %-14s  %s\n", toolSigns[s.Op], s.Container.Resource().Ref(), s.Op, s.Reason)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WithTools returns b with the project's tool containers among what it
// observes and removes, for plans that act on them (destroy); b itself
// when it keeps none.
func WithTools(b Backend) Backend {
	to, ok := b.(ToolObserver)
	if !ok {
		return b
	}
	return withTools{Backend: b, to: to}
}

type withTools struct {
	Backend
	to ToolObserver
}

func (w withTools) Observe(ctx context.Context, project string) ([]Resource, error) {
	rs, err := w.Backend.Observe(ctx, project)
	if err != nil {
		return nil, err
	}
	cs, err := w.to.ObserveTools(ctx, project, "", -1)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		rs = append(rs, c.Resource())
	}
	return rs, nil
}

func (w withTools) Remove(ctx context.Context, env *envfile.Environment, r Resource, p Progress) error {
	if r.Kind != KindTool {
		return w.Backend.Remove(ctx, env, r, p)
	}
	return w.to.RemoveTool(ctx, r.ID)
}

package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Op is what an action does to its resource.
type Op string

// Operations. Keep is printed but not executed.
const (
	OpCreate  Op = "create"
	OpReplace Op = "replace"
	OpStart   Op = "start"
	OpStop    Op = "stop"
	OpRemove  Op = "remove"
	OpKeep    Op = "keep"
)

// Action is one step of a plan.
type Action struct {
	Op Op `json:"op"`
	// Resource is the desired resource for create, replace, start and keep,
	// and the observed one for stop and remove.
	Resource Resource `json:"resource"`
	// Old is the observed resource a replace removes first.
	Old    *Resource `json:"old,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// Plan is an ordered list of actions: what up, down or destroy will do.
type Plan struct {
	Project string   `json:"project"`
	Backend string   `json:"backend"`
	Actions []Action `json:"actions"`
}

// Changes counts the actions that do something.
func (p Plan) Changes() int {
	n := 0
	for _, a := range p.Actions {
		if a.Op != OpKeep {
			n++
		}
	}
	return n
}

// Up computes what `up` must do to turn observed into desired. It is pure:
// every decision of an up is made here. disabled names the file's
// services left out of desired (their profiles not active): what exists
// of them is kept, not removed as orphans (disabled.go).
func Up(project, backend string, desired, observed []Resource, disabled ...string) Plan {
	obs := map[Ref]Resource{}
	for _, o := range observed {
		obs[o.Ref()] = o
	}
	want := map[Ref]bool{}
	for _, d := range desired {
		want[d.Ref()] = true
	}

	// Decide in dependency order so replacement propagates along Needs.
	ordered := topo(desired)
	decided := map[Ref]Op{}
	p := Plan{Project: project, Backend: backend}
	for _, d := range ordered {
		o, exists := obs[d.Ref()]
		a := Action{Resource: d}
		switch {
		case !exists:
			a.Op, a.Reason = OpCreate, "not found"
		case o.Hash != d.Hash && d.Kind == KindVolume:
			// A volume holds data: never replaced; create adopts it and
			// rewrites its labels.
			a.Op, a.Reason = OpCreate, "adopted (labels out of date)"
		case o.Hash != d.Hash:
			a.Op, a.Reason = OpReplace, "config changed"
		case o.Drift != "" && d.Kind != KindVolume:
			a.Op, a.Reason = OpReplace, o.Drift
		default:
			a.Op = OpKeep
			for _, n := range d.Needs {
				if op := decided[n]; op == OpReplace || (op == OpCreate && exists) {
					a.Op, a.Reason = OpReplace, n.String()+" is "+pastTense(op)
					break
				}
			}
			a.Op, a.Reason = runState(d, o, a.Op, a.Reason)
		}
		if a.Op == OpReplace {
			old := o
			a.Old = &old
		}
		if a.Op == OpKeep {
			a.Reason = "unchanged"
		}
		a.Resource.ID = o.ID
		decided[d.Ref()] = a.Op
		p.Actions = append(p.Actions, a)
	}

	// Orphans: in the engine, no longer in the file. Volumes and images are
	// never removed by up; volumes hold data, images are cache.
	off := disabledSet(disabled)
	for _, o := range sortedObserved(observed) {
		if want[o.Ref()] || o.Kind == KindVolume || o.Kind == KindImage {
			continue
		}
		if a, ok := keepDisabled(o, off, decided); ok {
			p.Actions = append(p.Actions, a)
			continue
		}
		p.Actions = append(p.Actions, Action{Op: OpRemove, Resource: o, Reason: "no longer in the file"})
	}
	return p
}

// Down stops every running host and service, keeping everything.
func Down(project, backend string, observed []Resource) Plan {
	p := Plan{Project: project, Backend: backend}
	for _, o := range sortedObserved(observed) {
		if !o.Runs() {
			continue
		}
		a := Action{Op: OpStop, Resource: o, Reason: "down"}
		if !Running(o.State) {
			a.Op, a.Reason = OpKeep, "already "+stateOr(o.State, StateStopped)
		}
		p.Actions = append(p.Actions, a)
	}
	return p
}

// Destroy removes everything of the project. Volumes hold user data and are
// removed only when volumes is true; images are cache and always kept.
func Destroy(project, backend string, observed []Resource, volumes bool) Plan {
	p := Plan{Project: project, Backend: backend}
	for _, o := range sortedObserved(observed) {
		a := Action{Op: OpRemove, Resource: o, Reason: "destroy"}
		switch {
		case o.Kind == KindVolume && !volumes:
			a.Op, a.Reason = OpKeep, "volume kept (destroy --volumes removes it)"
		case o.Kind == KindImage:
			a.Op, a.Reason = OpKeep, "image cache kept"
		}
		p.Actions = append(p.Actions, a)
	}
	return p
}

// runState decides for a running kind that nothing else replaces: an
// unhealthy one is replaced, one whose health check has not passed yet is
// started again (Start waits for the check), a stopped one is started.
func runState(d, o Resource, op Op, reason string) (Op, string) {
	if op != OpKeep || !d.Runs() {
		return op, reason
	}
	switch o.State {
	case StateRunning:
		return op, reason
	case StateUnhealthy:
		return OpReplace, "is unhealthy"
	case StateStarting:
		return OpStart, "health check has not passed yet"
	default:
		return OpStart, "is " + stateOr(o.State, StateStopped)
	}
}

func pastTense(op Op) string {
	if op == OpReplace {
		return "replaced"
	}
	return "recreated"
}

func stateOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// topo orders resources so that every resource follows its Needs and After
// that are in the list; ties keep kind rank, then name, for stable output.
func topo(rs []Resource) []Resource {
	sorted := append([]Resource(nil), rs...)
	sort.SliceStable(sorted, func(i, j int) bool { return less(sorted[i], sorted[j]) })
	index := map[Ref]int{}
	for i, r := range sorted {
		index[r.Ref()] = i
	}
	var out []Resource
	state := make([]int, len(sorted)) // 0 new, 1 visiting, 2 done
	var visit func(i int)
	visit = func(i int) {
		if state[i] != 0 {
			return // done, or a cycle (validation rejects those; never loop)
		}
		state[i] = 1
		for _, dep := range append(append([]Ref(nil), sorted[i].Needs...), sorted[i].After...) {
			if j, ok := index[dep]; ok {
				visit(j)
			}
		}
		state[i] = 2
		out = append(out, sorted[i])
	}
	for i := range sorted {
		visit(i)
	}
	return out
}

func less(a, b Resource) bool {
	if a.Kind.rank() != b.Kind.rank() {
		return a.Kind.rank() < b.Kind.rank()
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return a.Name < b.Name
}

func sortedObserved(rs []Resource) []Resource {
	out := append([]Resource(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

var opSigns = map[Op]string{
	OpCreate: "+", OpReplace: "~", OpStart: ">", OpStop: ".", OpRemove: "-", OpKeep: "=",
}

// Write prints the plan for people, one action a line:
//
//   - network/lan       create   (not found)
func (p Plan) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "plan for %q on %s: %d change(s)\n", p.Project, p.Backend, p.Changes())
	width := 0
	for _, a := range p.Actions {
		if n := len(a.Resource.Ref().String()); n > width {
			width = n
		}
	}
	for _, a := range p.Actions {
		fmt.Fprintf(&b, "  %s %-*s  %-7s  %s\n", opSigns[a.Op], width, a.Resource.Ref(), a.Op, a.Reason)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the plan as JSON.
func (p Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

package engine

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func svc(name, hash string, needs ...Ref) Resource {
	return Resource{Kind: KindService, Name: name, Hash: hash, Needs: needs}
}

func ops(p Plan) map[string]Op {
	out := map[string]Op{}
	for _, a := range p.Actions {
		out[a.Resource.Ref().String()] = a.Op
	}
	return out
}

func TestUpDecisions(t *testing.T) {
	net := Ref{Kind: KindNetwork, Name: "lan"}
	desired := []Resource{
		{Kind: KindNetwork, Name: "lan", Hash: "n1"},
		{Kind: KindVolume, Name: "data", Hash: "v1"},
		svc("db", "d1", net),
		svc("web", "w2", net),
		svc("cache", "c1", net),
		svc("new", "x1", net),
	}
	observed := []Resource{
		{Kind: KindNetwork, Name: "lan", Hash: "n1", ID: "N", State: StateExists},
		{Kind: KindVolume, Name: "old-data", Hash: "v0", State: StateExists},
		{Kind: KindService, Name: "db", Hash: "d1", ID: "D", State: StateRunning},
		{Kind: KindService, Name: "web", Hash: "w1", ID: "W", State: StateRunning},
		{Kind: KindService, Name: "cache", Hash: "c1", ID: "C", State: StateStopped},
		{Kind: KindService, Name: "gone", Hash: "g1", ID: "G", State: StateRunning},
		{Kind: KindNetwork, Name: "oldnet", Hash: "o1", State: StateExists},
	}
	p := Up("shop", "fake", desired, observed)
	want := map[string]Op{
		"network/lan":    OpKeep,
		"volume/data":    OpCreate,
		"service/db":     OpKeep,
		"service/web":    OpReplace,
		"service/cache":  OpStart,
		"service/new":    OpCreate,
		"service/gone":   OpRemove,
		"network/oldnet": OpRemove,
	}
	got := ops(p)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["volume/old-data"]; ok {
		t.Errorf("up must never remove a volume: %v", got)
	}
	if p.Changes() != 6 {
		t.Errorf("Changes() = %d, want 6", p.Changes())
	}
	for _, a := range p.Actions {
		if a.Op == OpReplace && (a.Old == nil || a.Old.ID != "W") {
			t.Errorf("replace of %s must carry the old resource, got %+v", a.Resource.Ref(), a.Old)
		}
	}
}

func TestUpNothingChangedIsEmpty(t *testing.T) {
	desired := []Resource{{Kind: KindNetwork, Name: "lan", Hash: "n"}, svc("db", "d")}
	observed := []Resource{
		{Kind: KindNetwork, Name: "lan", Hash: "n", State: StateExists},
		{Kind: KindService, Name: "db", Hash: "d", State: StateRunning},
	}
	if p := Up("p", "fake", desired, observed); p.Changes() != 0 {
		t.Errorf("unchanged environment planned %d changes: %+v", p.Changes(), p.Actions)
	}
}

func TestReplacePropagatesAlongNeedsNotAfter(t *testing.T) {
	host := Ref{Kind: KindHost, Name: "box"}
	desired := []Resource{
		{Kind: KindHost, Name: "box", Hash: "h2"},
		svc("db", "d", host),
		{Kind: KindService, Name: "web", Hash: "w", After: []Ref{{Kind: KindService, Name: "db"}}},
	}
	observed := []Resource{
		{Kind: KindHost, Name: "box", Hash: "h1", State: StateRunning},
		{Kind: KindService, Name: "db", Hash: "d", State: StateRunning},
		{Kind: KindService, Name: "web", Hash: "w", State: StateRunning},
	}
	got := ops(Up("p", "lxc", desired, observed))
	if got["host/box"] != OpReplace || got["service/db"] != OpReplace {
		t.Errorf("host replace must replace what lives in it: %v", got)
	}
	if got["service/web"] != OpKeep {
		t.Errorf("depends_on must not propagate replacement: %v", got)
	}
}

func TestUpOrdersDependenciesFirst(t *testing.T) {
	desired := []Resource{
		{Kind: KindService, Name: "a", After: []Ref{{Kind: KindService, Name: "z"}}},
		{Kind: KindService, Name: "z"},
		{Kind: KindNetwork, Name: "n"},
	}
	p := Up("p", "fake", desired, nil)
	var order []string
	for _, a := range p.Actions {
		order = append(order, a.Resource.Name)
	}
	if strings.Join(order, ",") != "n,z,a" {
		t.Errorf("order = %v, want n,z,a", order)
	}
}

func TestDownAndDestroy(t *testing.T) {
	observed := []Resource{
		{Kind: KindNetwork, Name: "lan", State: StateExists},
		{Kind: KindVolume, Name: "data", State: StateExists},
		{Kind: KindImage, Name: "cache1", State: StateExists},
		{Kind: KindService, Name: "db", State: StateRunning},
		{Kind: KindService, Name: "web", State: StateStopped},
	}
	down := ops(Down("p", "fake", observed))
	if down["service/db"] != OpStop || down["service/web"] != OpKeep || len(down) != 2 {
		t.Errorf("down = %v", down)
	}
	keep := ops(Destroy("p", "fake", observed, false))
	if keep["volume/data"] != OpKeep || keep["image/cache1"] != OpKeep || keep["service/db"] != OpRemove || keep["network/lan"] != OpRemove {
		t.Errorf("destroy = %v", keep)
	}
	all := ops(Destroy("p", "fake", observed, true))
	if all["volume/data"] != OpRemove || all["image/cache1"] != OpKeep {
		t.Errorf("destroy --volumes = %v", all)
	}
}

func TestPlanWrite(t *testing.T) {
	p := Up("shop", "docker", []Resource{svc("db", "1")}, nil)
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := "plan for \"shop\" on docker: 1 change(s)\n  + service/db  create   not found\n"
	if b.String() != want {
		t.Errorf("Write:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	if err := p.WriteJSON(&b); err != nil || !strings.Contains(b.String(), `"op": "create"`) {
		t.Errorf("WriteJSON = %s, %v", b.String(), err)
	}
}

func TestHashStable(t *testing.T) {
	a := Hash(map[string]string{"a": "1", "b": "2"}, []int{1})
	b := Hash(map[string]string{"b": "2", "a": "1"}, []int{1})
	if a != b || len(a) != 20 {
		t.Errorf("Hash not stable: %s %s", a, b)
	}
	if a == Hash(map[string]string{"a": "1"}, []int{1}) {
		t.Error("different values hashed equal")
	}
}

func TestCPUMeter(t *testing.T) {
	var m CPUMeter
	t0 := time.Unix(100, 0)
	if p := m.Percent("a", 1e9, t0, time.Time{}); p != 0 {
		t.Errorf("first reading, start unknown = %v, want 0", p)
	}
	if p := m.Percent("b", 1e9, t0, t0.Add(-4*time.Second)); p != 25 {
		t.Errorf("first reading, average since start = %v, want 25", p)
	}
	if p := m.Percent("a", 1.5e9, t0.Add(time.Second), time.Time{}); p != 50 {
		t.Errorf("half a core = %v, want 50", p)
	}
	if p := m.Percent("a", 1e6, t0.Add(2*time.Second), time.Time{}); p != 0 {
		t.Errorf("counter reset = %v, want 0", p)
	}
}

// TestVolumeIsNeverReplaced: a volume whose labels are out of date (made
// by hand, or by an older devbox) is adopted, never removed and remade.
func TestVolumeIsNeverReplaced(t *testing.T) {
	desired := []Resource{{Kind: KindVolume, Name: "data", Hash: "v2"}}
	observed := []Resource{{Kind: KindVolume, Name: "data", Hash: "", ID: "p-data", State: StateExists}}
	p := Up("p", "lxc", desired, observed)
	if len(p.Actions) != 1 || p.Actions[0].Op != OpCreate || p.Actions[0].Old != nil || p.Actions[0].Resource.ID != "p-data" {
		t.Fatalf("plan %+v", p.Actions)
	}
}

// An up killed during a health wait leaves a service unhealthy or still
// starting; the next up must not keep it as if it were fine.
func TestUpObservesHealthAndDrift(t *testing.T) {
	desired := []Resource{svc("db", "d1"), svc("cache", "c1"), svc("web", "w1"), svc("api", "a1"),
		{Kind: KindVolume, Name: "data", Hash: "v1"}}
	observed := []Resource{
		{Kind: KindService, Name: "db", Hash: "d1", State: StateUnhealthy},
		{Kind: KindService, Name: "cache", Hash: "c1", State: StateStarting},
		{Kind: KindService, Name: "web", Hash: "w1", State: StateRunning, Drift: "not attached to network lan"},
		{Kind: KindService, Name: "api", Hash: "a1", State: StateRunning},
		{Kind: KindVolume, Name: "data", Hash: "v1", State: StateExists, Drift: "whatever"},
	}
	p := Up("p", "fake", desired, observed)
	got := ops(p)
	want := map[string]Op{"service/db": OpReplace, "service/cache": OpStart, "service/web": OpReplace,
		"service/api": OpKeep, "volume/data": OpKeep}
	for k, op := range want {
		if got[k] != op {
			t.Errorf("%s: %s, want %s (plan %+v)", k, got[k], op, p.Actions)
		}
	}
	for _, a := range p.Actions {
		if a.Resource.Name == "web" && a.Reason != "not attached to network lan" {
			t.Errorf("web's reason %q should be the drift", a.Reason)
		}
	}
	d := Down("p", "fake", observed)
	for _, a := range d.Actions {
		if a.Op != OpStop {
			t.Errorf("down should stop %s (state %s), got %s", a.Resource.Name, a.Resource.State, a.Op)
		}
	}
}

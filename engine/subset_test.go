package engine

import (
	"context"
	"strings"
	"testing"
	"time"
)

// threeTier is web after api after db, plus an unrelated worker, all on
// one network (docker's shape).
func threeTier(hashes map[string]string) []Resource {
	lan := Ref{Kind: KindNetwork, Name: "lan"}
	data := Ref{Kind: KindVolume, Name: "data"}
	after := func(r Resource, deps ...string) Resource {
		for _, d := range deps {
			r.After = append(r.After, Ref{Kind: KindService, Name: d})
		}
		return r
	}
	h := func(name string) string {
		if v, ok := hashes[name]; ok {
			return v
		}
		return name + "1"
	}
	return []Resource{
		{Kind: KindNetwork, Name: "lan", Hash: "n1"},
		{Kind: KindVolume, Name: "data", Hash: "v1"},
		svc("db", h("db"), lan, data),
		after(svc("api", h("api"), lan), "db"),
		after(svc("web", h("web"), lan), "api"),
		svc("worker", h("worker"), lan),
	}
}

func TestSubsetTakesTheDependencyClosure(t *testing.T) {
	p := Up("p", "fake", threeTier(nil), nil)
	s, err := Subset(p, []string{"api"})
	if err != nil {
		t.Fatal(err)
	}
	got := ops(s)
	want := map[string]Op{"network/lan": OpCreate, "volume/data": OpCreate, "service/db": OpCreate, "service/api": OpCreate}
	if len(got) != len(want) {
		t.Errorf("subset of api: %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (subset %v)", k, got[k], v, got)
		}
	}
	// Transitive: web reaches db through api.
	s, _ = Subset(p, []string{"web"})
	if got := ops(s); got["service/db"] != OpCreate || got["service/worker"] != "" {
		t.Errorf("subset of web: %v, want db in and worker out", got)
	}
	// Order is the plan's: db before api before web.
	var order []string
	for _, a := range s.Actions {
		order = append(order, a.Resource.Name)
	}
	if strings.Join(order, " ") != "lan data db api web" {
		t.Errorf("subset order %v, want the plan's", order)
	}
	if s.Project != "p" || s.Backend != "fake" {
		t.Errorf("subset lost the plan's project or backend: %+v", s)
	}
}

func TestSubsetLeavesOthersAlone(t *testing.T) {
	observed := []Resource{
		{Kind: KindNetwork, Name: "lan", Hash: "n1", ID: "N", State: StateExists},
		{Kind: KindVolume, Name: "data", Hash: "v1", ID: "V", State: StateExists},
		{Kind: KindService, Name: "db", Hash: "db1", ID: "D", State: StateStopped},
		{Kind: KindService, Name: "web", Hash: "old", ID: "W", State: StateRunning},
		{Kind: KindService, Name: "gone", Hash: "g1", ID: "G", State: StateRunning},
		{Kind: KindNetwork, Name: "oldnet", Hash: "o1", ID: "O", State: StateExists},
	}
	p := Up("p", "fake", threeTier(map[string]string{"api": "api2"}), observed)
	if full := ops(p); full["service/web"] != OpReplace || full["service/gone"] != OpRemove {
		t.Fatalf("the full plan must replace web and remove gone (else this test proves nothing): %v", full)
	}
	s, err := Subset(p, []string{"db"})
	if err != nil {
		t.Fatal(err)
	}
	got := ops(s)
	for _, other := range []string{"service/web", "service/api", "service/worker", "service/gone", "network/oldnet"} {
		if op, ok := got[other]; ok {
			t.Errorf("up db touches %s (%s): %v", other, op, got)
		}
	}
	if got["service/db"] != OpStart || got["network/lan"] != OpKeep {
		t.Errorf("up db: %v, want db started, lan kept", got)
	}
	if s.Changes() != 1 {
		t.Errorf("up db: %d changes, want 1: %v", s.Changes(), got)
	}
}

func TestSubsetUnknownService(t *testing.T) {
	p := Up("p", "fake", threeTier(nil), []Resource{{Kind: KindService, Name: "gone", Hash: "g", State: StateRunning}})
	for _, name := range []string{"nope", "gone", "lan"} {
		_, err := Subset(p, []string{"db", name})
		if err == nil || !strings.Contains(err.Error(), `"`+name+`"`) || !strings.Contains(err.Error(), "api, db, web, worker") {
			t.Errorf("Subset(%q): %v, want an error naming it and listing the file's services", name, err)
		}
	}
	if s, err := Subset(p, nil); err != nil || len(s.Actions) != len(p.Actions) {
		t.Errorf("no names must leave the plan as it is: %v %+v", err, s)
	}
}

// On lxc every service lives in the host: when the subset rebuilds the
// host, the existing services in it are replaced with it (they would be
// gone otherwise), but one never created is still not created.
func TestSubsetKeepsWhatAReplacedHostTakesDown(t *testing.T) {
	host := Ref{Kind: KindHost, Name: "box"}
	desired := []Resource{
		{Kind: KindHost, Name: "box", Hash: "h2"},
		svc("db", "db1", host),
		{Kind: KindService, Name: "api", Hash: "api1", Needs: []Ref{host}, After: []Ref{{Kind: KindService, Name: "db"}}},
		svc("web", "web1", host),
		svc("fresh", "f1", host),
	}
	observed := []Resource{
		{Kind: KindHost, Name: "box", Hash: "h1", ID: "H", State: StateRunning},
		{Kind: KindService, Name: "db", Hash: "db1", State: StateRunning},
		{Kind: KindService, Name: "api", Hash: "api1", State: StateRunning},
		{Kind: KindService, Name: "web", Hash: "web1", State: StateRunning},
	}
	s, err := Subset(Up("p", "fake", desired, observed), []string{"api"})
	if err != nil {
		t.Fatal(err)
	}
	got := ops(s)
	want := map[string]Op{"host/box": OpReplace, "service/db": OpReplace, "service/api": OpReplace, "service/web": OpReplace}
	if len(got) != len(want) {
		t.Errorf("subset: %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	// With the host unchanged, web stays out.
	observed[0].Hash = "h2"
	s, _ = Subset(Up("p", "fake", desired, observed), []string{"api"})
	if _, ok := ops(s)["service/web"]; ok {
		t.Errorf("an unchanged host must not pull web in: %v", ops(s))
	}
}

func TestHealthTimeoutRoundTrips(t *testing.T) {
	ctx := context.Background()
	if d := HealthTimeout(ctx); d != 0 {
		t.Errorf("no bound set: %s, want 0", d)
	}
	if d := HealthTimeout(WithHealthTimeout(ctx, 3*time.Second)); d != 3*time.Second {
		t.Errorf("bound 3s read back as %s", d)
	}
	if d := HealthTimeout(WithHealthTimeout(ctx, -time.Second)); d != 0 {
		t.Errorf("a negative bound must read as none, got %s", d)
	}
}

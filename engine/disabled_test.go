package engine

import "testing"

// A service whose profile is not active is neither created nor removed: up
// keeps what exists of it, stopped or running, while a real orphan is
// still removed; destroy removes both.
func TestUpKeepsDisabledServices(t *testing.T) {
	net := Ref{Kind: KindNetwork, Name: "lan"}
	desired := []Resource{{Kind: KindNetwork, Name: "lan", Hash: "n1"}, svc("web", "w1", net)}
	observed := []Resource{
		{Kind: KindNetwork, Name: "lan", Hash: "n1", State: StateExists},
		{Kind: KindService, Name: "web", Hash: "w1", State: StateRunning},
		{Kind: KindService, Name: "debug", Hash: "d1", State: StateRunning},
		{Kind: KindService, Name: "tools", Hash: "t1", State: StateStopped},
		{Kind: KindService, Name: "gone", Hash: "g1", State: StateRunning},
	}
	p := Up("p", "fake", desired, observed, "debug", "tools", "never-created")
	want := map[string]Op{"network/lan": OpKeep, "service/web": OpKeep, "service/debug": OpKeep,
		"service/tools": OpKeep, "service/gone": OpRemove}
	got := ops(p)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["service/never-created"]; ok || len(got) != len(want) {
		t.Errorf("plan = %v, want exactly %v", got, want)
	}
	if p.Changes() != 1 {
		t.Errorf("Changes() = %d, want 1 (the orphan)", p.Changes())
	}
	// Without the names, the same services are orphans.
	if got := ops(Up("p", "fake", desired, observed)); got["service/debug"] != OpRemove || got["service/tools"] != OpRemove {
		t.Errorf("without disabled names: %v", got)
	}
	d := ops(Destroy("p", "fake", observed, false))
	for _, k := range []string{"service/web", "service/debug", "service/tools", "service/gone"} {
		if d[k] != OpRemove {
			t.Errorf("destroy %s: %q, want remove", k, d[k])
		}
	}
}

// On a host-shaped engine (lxc) a disabled service lives in the host: when
// the host is replaced the service goes with it, and the plan says so.
func TestUpDisabledServiceInReplacedHost(t *testing.T) {
	host := Ref{Kind: KindHost, Name: "h"}
	desired := []Resource{{Kind: KindHost, Name: "h", Hash: "h2"}, svc("web", "w1", host)}
	observed := []Resource{
		{Kind: KindHost, Name: "h", Hash: "h1", State: StateRunning},
		{Kind: KindService, Name: "web", Hash: "w1", State: StateRunning, Needs: []Ref{host}},
		{Kind: KindService, Name: "debug", Hash: "d1", State: StateRunning, Needs: []Ref{host}},
	}
	got := ops(Up("p", "fake", desired, observed, "debug"))
	if got["host/h"] != OpReplace || got["service/web"] != OpReplace || got["service/debug"] != OpRemove {
		t.Errorf("plan = %v, want host and web replaced, debug removed with the host", got)
	}
	observed[0].Hash = "h2"
	if got := ops(Up("p", "fake", desired, observed, "debug")); got["service/debug"] != OpKeep {
		t.Errorf("host kept: plan = %v, want debug kept", got)
	}
}

// The replicas of a disabled service are kept with it.
func TestUpKeepsDisabledReplicas(t *testing.T) {
	observed := []Resource{
		{Kind: KindService, Name: "jobs-1", Hash: "j", State: StateRunning},
		{Kind: KindService, Name: "jobs-2", Hash: "j", State: StateRunning},
		{Kind: KindService, Name: "jobsx-1", Hash: "x", State: StateRunning},
	}
	got := ops(Up("p", "fake", nil, observed, "jobs"))
	if got["service/jobs-1"] != OpKeep || got["service/jobs-2"] != OpKeep || got["service/jobsx-1"] != OpRemove {
		t.Errorf("plan = %v", got)
	}
}

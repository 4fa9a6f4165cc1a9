package engine

import (
	"reflect"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/envfile"
)

func scaleEnv(t *testing.T, replicas *int, counts map[string]int) *envfile.Environment {
	t.Helper()
	env := &envfile.Environment{Project: "p", Services: []envfile.Service{
		{Name: "front", DependsOn: []string{"worker"}},
		{Name: "worker", Replicas: replicas},
	}}
	if err := env.ExpandReplicas(counts); err != nil {
		t.Fatal(err)
	}
	return env
}

func TestScaledCounts(t *testing.T) {
	two := 2
	env := scaleEnv(t, &two, nil)
	counts, keep, notes := ScaledCounts(env, map[string]Scale{"worker": {Count: 4, File: "2"}, "gone": {Count: 2}})
	if counts["worker"] != 4 || len(keep) != 1 || len(notes) != 1 || !strings.Contains(notes[0], "4 replicas, from devbox scale (devbox.hcl says 2)") {
		t.Errorf("holding record: %v %v %q", counts, keep, notes)
	}
	counts, keep, notes = ScaledCounts(env, map[string]Scale{"worker": {Count: 4, File: ""}})
	if len(counts) != 0 || len(keep) != 0 || !strings.Contains(notes[0], "the file applies") {
		t.Errorf("stale record: %v %v %q", counts, keep, notes)
	}
}

func TestScalePlanOnlyReplicas(t *testing.T) {
	two := 2
	env := scaleEnv(t, &two, map[string]int{"worker": 3})
	desired := []Resource{
		{Kind: KindNetwork, Name: "lan", Hash: "n2"}, // changed: not scale's business
		{Kind: KindService, Name: "front", Hash: "f2", Needs: []Ref{{KindNetwork, "lan"}}},
		{Kind: KindService, Name: "worker-1", Hash: "w"},
		{Kind: KindService, Name: "worker-2", Hash: "w-changed"},
		{Kind: KindService, Name: "worker-3", Hash: "w", Needs: []Ref{{KindVolume, "v"}}},
		{Kind: KindVolume, Name: "v", Hash: "v"},
	}
	observed := []Resource{
		{Kind: KindNetwork, Name: "lan", Hash: "n1", State: StateExists},
		{Kind: KindService, Name: "front", Hash: "f1", State: StateRunning},
		{Kind: KindService, Name: "worker-1", Hash: "w", State: StateRunning},
		{Kind: KindService, Name: "worker-2", Hash: "w", State: StateRunning},
		{Kind: KindService, Name: "worker-5", Hash: "w", State: StateRunning},
		{Kind: KindService, Name: "worker-4", Hash: "w", State: StateRunning},
		{Kind: KindService, Name: "worker", Hash: "w", State: StateRunning},
		{Kind: KindService, Name: "other-2", Hash: "o", State: StateRunning},
	}
	p := ScalePlan(Up("p", "x", desired, observed), env, []string{"worker"})
	var got []string
	for _, a := range p.Actions {
		got = append(got, string(a.Op)+" "+a.Resource.Ref().String())
	}
	want := []string{"create volume/v", "create service/worker-3",
		"remove service/worker-5", "remove service/worker-4", "remove service/worker"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scale plan %q, want %q", got, want)
	}
}

package cli

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
)

const replicasHCL = `project = "rep"
backend = "docker"
image   = "debian/12"

service "router" {
  command = ["router"]
}
service "worker" {
  command    = ["sh", "-c", "exec worker --port $DEVBOX_PORT"]
  replicas   = 2
  depends_on = ["router"]
}
service "front" {
  command    = ["front"]
  depends_on = ["worker"]
  port "http" {
    port = 80
    host = 18080
  }
}
`

// changes are the calls that changed something (creates, removes …), in order.
func changes(calls []string) []string {
	var out []string
	for _, c := range calls {
		if !strings.HasPrefix(c, "observe") {
			out = append(out, c)
		}
	}
	return out
}

// scale adds and removes only the scaled service's replicas (highest index
// first, each stopped before it goes), up keeps the scaled count while the
// file's replicas stay, and applies the file once they change.
func TestScaleTouchesOnlyReplicas(t *testing.T) {
	h := newHarness(t, replicasHCL)
	if code, out, errs := h.run("up"); code != 0 || !strings.Contains(out, "+ service/worker-2") {
		t.Fatalf("up: %d\n%s%s", code, out, errs)
	}
	h.fake.Calls()
	front, router := h.fake.ID(engine.KindService, "front"), h.fake.ID(engine.KindService, "router")

	code, out, errs := h.run("scale", "worker=4")
	if code != 0 {
		t.Fatalf("scale worker=4: %d\n%s%s", code, out, errs)
	}
	got := changes(h.fake.Calls())
	want := []string{"scales", "create service/worker-3", "create service/worker-4"}
	slices.Sort(got[1:])
	if !slices.Equal(got, want) {
		t.Errorf("scale worker=4 did %q, want %q", got, want)
	}
	if strings.Contains(out, "front") || strings.Contains(out, "router") {
		t.Errorf("scale's plan shows other services:\n%s", out)
	}

	code, out, _ = h.run("plan")
	if code != 0 || !strings.Contains(out, "scale: worker: 4 replicas, from devbox scale (devbox.hcl says 2)") || !strings.Contains(out, "0 change(s)") {
		t.Errorf("plan after scale:\n%s", out)
	}

	if code, out, errs = h.run("scale", "worker=1"); code != 0 {
		t.Fatalf("scale worker=1: %d\n%s%s", code, out, errs)
	}
	got = changes(h.fake.Calls())
	want = []string{"scales", "stop service/worker-4", "remove service/worker-4", "stop service/worker-3",
		"remove service/worker-3", "stop service/worker-2", "remove service/worker-2"}
	if !slices.Equal(got, want) {
		t.Errorf("scale worker=1 did %q, want %q", got, want)
	}
	if code, out, _ = h.run("up"); code != 0 || !strings.Contains(out, "nothing to do") {
		t.Errorf("up after scale: %d\n%s", code, out)
	}
	if h.fake.ID(engine.KindService, "front") != front || h.fake.ID(engine.KindService, "router") != router {
		t.Error("scaling replaced the front end or the router")
	}

	// The file's replicas change: the file applies, the record goes.
	edited := strings.Replace(replicasHCL, "replicas   = 2", "replicas   = 3", 1)
	if err := os.WriteFile(filepath.Join(h.dir, "devbox.hcl"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	h.fake.Calls()
	code, out, errs = h.run("up")
	if code != 0 || !strings.Contains(out, "replicas changed since devbox scale worker=1: the file applies") {
		t.Fatalf("up after the file changed: %d\n%s%s", code, out, errs)
	}
	got = changes(h.fake.Calls())
	slices.Sort(got)
	want = []string{"create service/worker-2", "create service/worker-3", "scales -"}
	if !slices.Equal(got, want) {
		t.Errorf("up after the file changed did %q, want %q", got, want)
	}
	if code, out, _ = h.run("plan"); code != 0 || strings.Contains(out, "scale:") {
		t.Errorf("plan still speaks of a scale record:\n%s", out)
	}
}

func TestScaleBadInput(t *testing.T) {
	h := newHarness(t, replicasHCL)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scale", "worker"}, "want SERVICE=N"},
		{[]string{"scale", "worker=-1"}, "from 0 to 99"},
		{[]string{"scale", "worker=x"}, "from 0 to 99"},
		{[]string{"scale", "nope=2"}, `No service named "nope"`},
		{[]string{"scale", "front=2"}, "cannot all forward host port 18080"},
		{[]string{"scale", "worker=1", "worker=2"}, "named twice"},
	} {
		code, _, errs := h.run(tc.args...)
		if code != ExitBadInput || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: code %d, want 2 and %q:\n%s", tc.args, code, tc.want, errs)
		}
	}
	if calls := changes(h.fake.Calls()); len(calls) != 0 {
		t.Errorf("bad input changed the engine: %q", calls)
	}
}

// A replicated service on the command line stands for its replicas; a
// replica can be named on its own.
func TestReplicaNamesOnTheCommandLine(t *testing.T) {
	h := newHarness(t, replicasHCL)
	if code, out, errs := h.run("up", "worker"); code != 0 || !strings.Contains(out, "+ service/worker-1") || strings.Contains(out, "front") {
		t.Fatalf("up worker: %d\n%s%s", code, out, errs)
	}
	if code, out, errs := h.run("stop", "worker-2"); code != 0 || !strings.Contains(out, "worker-2") || strings.Contains(out, "worker-1") {
		t.Fatalf("stop worker-2: %d\n%s%s", code, out, errs)
	}
	if code, _, errs := h.run("stop", "worker-9"); code != ExitBadInput || !strings.Contains(errs, "worker (2 replicas: worker-1, worker-2)") {
		t.Errorf("stop worker-9: %d\n%s", code, errs)
	}
}

// On a host-shaped engine (lxc) scale does not start a stopped host: that
// would start every other service too.
func TestScaleRefusesAStoppedHost(t *testing.T) {
	h := newHarness(t, replicasHCL)
	h.fake = enginetest.New(enginetest.WithHost())
	if code, out, errs := h.run("up"); code != 0 {
		t.Fatalf("up: %d\n%s%s", code, out, errs)
	}
	if code, out, errs := h.run("down"); code != 0 {
		t.Fatalf("down: %d\n%s%s", code, out, errs)
	}
	h.fake.Calls()
	code, _, errs := h.run("scale", "worker=3")
	if code != ExitFailure || !strings.Contains(errs, "is stopped (devbox down)") {
		t.Errorf("scale on a stopped host: %d\n%s", code, errs)
	}
	if calls := changes(h.fake.Calls()); len(calls) != 0 {
		t.Errorf("scale on a stopped host did %q", calls)
	}
}

// A scale that fails half-way has recorded its count: the next up
// finishes it.
func TestFailedScaleIsFinishedByUp(t *testing.T) {
	h := newHarness(t, replicasHCL)
	if code, out, errs := h.run("up"); code != 0 {
		t.Fatalf("up: %d\n%s%s", code, out, errs)
	}
	h.fake.Fail["create service/worker-4"] = errors.New("engine exploded")
	if code, _, errs := h.run("scale", "worker=4"); code != ExitFailure || !strings.Contains(errs, "engine exploded") {
		t.Fatalf("scale: %d\n%s", code, errs)
	}
	delete(h.fake.Fail, "create service/worker-4")
	h.fake.Calls()
	if code, out, errs := h.run("up"); code != 0 || !strings.Contains(out, "+ service/worker-4") || !strings.Contains(out, "from devbox scale") {
		t.Fatalf("up after a failed scale: %d\n%s%s", code, out, errs)
	}
}

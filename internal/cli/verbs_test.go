package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
)

// tierHCL is web depending on api depending on db.
const tierHCL = `project = "vrb"
backend = "docker"
image   = "debian/12"

network "lan" { mode = "isolated" }

service "db" {
  command  = ["db"]
  networks = ["lan"]
}

service "api" {
  command    = ["api"]
  networks   = ["lan"]
  depends_on = ["db"]
}

service "web" {
  command    = ["web"]
  networks   = ["lan"]
  depends_on = ["api"]
}
`

// states is each service's observed state on the harness's fake.
func (h *harness) states() map[string]string {
	h.t.Helper()
	obs, err := h.fake.Observe(context.Background(), "vrb")
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]string{}
	for _, o := range obs {
		if o.Kind == engine.KindService {
			out[o.Name] = o.State
		}
	}
	return out
}

func (h *harness) mustRun(args ...string) (string, string) {
	h.t.Helper()
	code, out, errs := h.run(args...)
	if code != 0 {
		h.t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
	}
	return out, errs
}

func serviceID(h *harness, name string) string { return h.fake.ID(engine.KindService, name) }

func TestUpServicesBringsUpTheirDependenciesOnly(t *testing.T) {
	h := newHarness(t, tierHCL)
	out, _ := h.mustRun("up", "api")
	if serviceID(h, "web") != "" || strings.Contains(out, "service/web") {
		t.Errorf("up api created or planned web:\n%s", out)
	}
	db, api := serviceID(h, "db"), serviceID(h, "api")
	if db == "" || api == "" || h.fake.ID(engine.KindNetwork, "lan") == "" {
		t.Fatalf("up api must create api, db and their network: %v", h.fake.Calls())
	}
	h.fake.Calls()
	h.mustRun("up")
	if calls := h.fake.Calls(); strings.Join(calls, ",") != "create service/web" {
		t.Errorf("up after up api: calls %v, want web created only", calls)
	}
	if serviceID(h, "db") != db || serviceID(h, "api") != api {
		t.Errorf("up replaced what up api made")
	}
}

func TestUpServicesLeavesChangedOthersAlone(t *testing.T) {
	h := newHarness(t, tierHCL)
	h.mustRun("up")
	web := serviceID(h, "web")
	changed := strings.Replace(tierHCL, `command    = ["web"]`, `command    = ["web", "--v2"]`, 1)
	if err := os.WriteFile(filepath.Join(h.dir, "devbox.hcl"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _ := h.mustRun("plan"); !strings.Contains(out, "service/web") || !strings.Contains(out, "replace") {
		t.Fatalf("the full plan must replace web (else this test proves nothing):\n%s", out)
	}
	out, _ := h.mustRun("plan", "db")
	if strings.Contains(out, "service/web") || strings.Contains(out, "service/api") || !strings.Contains(out, "0 change(s)") {
		t.Errorf("plan db shows more than db and its network:\n%s", out)
	}
	h.fake.Calls()
	h.mustRun("up", "api")
	if calls := h.fake.Calls(); len(calls) != 0 || serviceID(h, "web") != web {
		t.Errorf("up api touched the changed web: %v", calls)
	}
	h.mustRun("up", "web")
	if serviceID(h, "web") == web {
		t.Errorf("up web did not apply web's change")
	}
}

func TestServiceVerbsRejectUnknownNames(t *testing.T) {
	h := newHarness(t, tierHCL)
	for _, verb := range []string{"up", "plan", "stop", "start", "restart"} {
		code, out, errs := h.run(verb, "db", "nope")
		if code != ExitBadInput || !strings.Contains(errs, `"nope"`) || !strings.Contains(errs, "db, api, web") {
			t.Errorf("%s nope: exit %d, want 2 naming it and listing the services\n%s%s", verb, code, out, errs)
		}
	}
	if calls := h.fake.Calls(); len(calls) != 0 {
		t.Errorf("a bad name must change nothing: %v", calls)
	}
}

func TestStopStartRestart(t *testing.T) {
	h := newHarness(t, tierHCL)
	h.mustRun("up")
	ids := map[string]string{}
	for _, s := range []string{"db", "api", "web"} {
		ids[s] = serviceID(h, s)
	}
	h.fake.Calls()

	h.mustRun("stop", "db")
	if st := h.states(); st["db"] != engine.StateStopped || st["api"] != engine.StateRunning || st["web"] != engine.StateRunning {
		t.Errorf("stop db: states %v, want db stopped, the others running", st)
	}
	h.mustRun("start", "db")
	if st := h.states(); st["db"] != engine.StateRunning {
		t.Errorf("start db: states %v", st)
	}
	if calls := h.fake.Calls(); strings.Join(calls, ",") != "stop service/db,start service/db" {
		t.Errorf("stop db, start db: calls %v", calls)
	}

	out, _ := h.mustRun("restart", "api")
	if !strings.Contains(out, "2 change(s)") || !regexp.MustCompile(`service/api +stop[\s\S]*service/api +start`).MatchString(out) {
		t.Errorf("restart api must print one plan, stop then start:\n%s", out)
	}
	if calls := h.fake.Calls(); strings.Join(calls, ",") != "stop service/api,start service/api" {
		t.Errorf("restart api: calls %v, want api stopped and started only", calls)
	}
	// Everything stops, dependants first; start brings it back in
	// dependency order.
	h.mustRun("stop")
	if calls := h.fake.Calls(); strings.Join(calls, ",") != "stop service/web,stop service/api,stop service/db" {
		t.Errorf("stop: calls %v, want web, api, db", calls)
	}
	h.mustRun("start", "web")
	if calls := h.fake.Calls(); strings.Join(calls, ",") != "start service/db,start service/api,start service/web" {
		t.Errorf("start web with its dependencies stopped: calls %v, want db, api, web", calls)
	}
	for s, id := range ids {
		if serviceID(h, s) != id {
			t.Errorf("stop/start/restart recreated %s", s)
		}
	}
	h.mustRun("restart")
	if calls := h.fake.Calls(); strings.Join(calls, ",") != "stop service/web,stop service/api,stop service/db,start service/db,start service/api,start service/web" {
		t.Errorf("restart: calls %v, want everything stopped, dependants first, then started in order", calls)
	}
	// Nothing stopped: nothing to do.
	h.mustRun("start")
	if calls := h.fake.Calls(); len(calls) != 0 {
		t.Errorf("start with everything running: calls %v", calls)
	}
}

func TestStartNeverCreated(t *testing.T) {
	h := newHarness(t, tierHCL)
	code, _, errs := h.run("start")
	if code != ExitFailure || !strings.Contains(errs, "devbox up") {
		t.Errorf("start before any up: exit %d, want 1 saying to run devbox up\n%s", code, errs)
	}
	h.mustRun("up", "api")
	h.fake.Calls()
	for _, verb := range []string{"start", "restart"} {
		code, _, errs = h.run(verb, "web")
		if code != ExitFailure || !strings.Contains(errs, "service/web never created") || !strings.Contains(errs, "devbox up web") {
			t.Errorf("%s web, never created: exit %d, want 1 saying to run devbox up\n%s", verb, code, errs)
		}
	}
	if calls := h.fake.Calls(); len(calls) != 0 {
		t.Errorf("start/restart of a service never created must touch nothing: %v", calls)
	}
	// No names: the services that exist; stop skips web.
	h.mustRun("stop")
	h.mustRun("start")
	if st := h.states(); st["db"] != engine.StateRunning || st["api"] != engine.StateRunning || len(st) != 2 {
		t.Errorf("stop then start after up api: states %v", st)
	}
}

// On a host-shaped engine (lxc) start also starts the stopped host the
// service lives in, first.
func TestStartStartsTheHost(t *testing.T) {
	h := newHarness(t, tierHCL)
	h.fake = enginetest.New(enginetest.WithHost())
	h.mustRun("up")
	h.mustRun("down")
	h.fake.Calls()
	h.mustRun("start", "db")
	if calls := h.fake.Calls(); strings.Join(calls, ",") != "start host/"+enginetest.HostName("vrb")+",start service/db" {
		t.Errorf("start db after down: calls %v, want the host then db", calls)
	}
}

func TestUpTimeoutReachesTheBackend(t *testing.T) {
	h := newHarness(t, tierHCL)
	var got []time.Duration
	h.fake.Block = func(ctx context.Context, r engine.Resource) error {
		if r.Kind == engine.KindService {
			got = append(got, engine.HealthTimeout(ctx))
		}
		return nil
	}
	h.mustRun("up", "--timeout", "3s", "db")
	if len(got) != 1 || got[0] != 3*time.Second {
		t.Errorf("up --timeout 3s: the backend saw health bounds %v, want [3s]", got)
	}
	got = nil
	h.mustRun("up")
	if len(got) != 2 || got[0] != 0 {
		t.Errorf("up without --timeout: the backend saw health bounds %v, want none", got)
	}
	for _, bad := range []string{"-1s", "soon"} {
		if code, _, errs := h.run("up", "--timeout", bad); code != ExitBadInput {
			t.Errorf("up --timeout %s: exit %d, want 2\n%s", bad, code, errs)
		}
	}
}

// stop, start and restart wait for the project lock an up or destroy
// holds, and touch nothing before they have it.
func TestServiceVerbsTakeTheLock(t *testing.T) {
	h := newHarness(t, tierHCL)
	h.mustRun("up")
	h.fake.Calls()
	for _, verb := range []string{"stop", "start", "restart"} {
		unlock, err := engine.Lock(context.Background(), h.dir, "fake", "vrb", nil)
		if err != nil {
			t.Fatal(err)
		}
		type result struct {
			code int
			errs string
		}
		done := make(chan result, 1)
		go func() { code, _, errs := h.run(verb, "db"); done <- result{code, errs} }()
		time.Sleep(400 * time.Millisecond)
		if calls := h.fake.Calls(); len(calls) != 0 {
			t.Errorf("%s acted while another devbox held the lock: %v", verb, calls)
		}
		unlock()
		r := <-done
		h.fake.Calls()
		if r.code != 0 || !strings.Contains(r.errs, "waiting for another devbox") {
			t.Errorf("%s under a held lock: exit %d, want 0 after saying it waits\n%s", verb, r.code, r.errs)
		}
	}
}

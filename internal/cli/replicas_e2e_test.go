package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/backends/lxc"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestReplicasE2EDocker and TestReplicasE2ELXC bring examples/replicas up
// (a uWSGI FastRouter, worker replicas that subscribe themselves to it,
// nginx in front; packages through the proxy) and check, through the
// front end's forwarded port, that requests reach exactly the live
// replicas — 2 from the file, 4 after `devbox scale worker=4`, 1 after
// `devbox scale worker=1` — while the router, the front end and worker-1
// are never restarted; that scale prints only the replicas it adds or
// removes (highest index first), plan has nothing to do afterwards,
// status lists the one replica left, and destroy leaves nothing.
func TestReplicasE2EDocker(t *testing.T) { replicasE2E(t, "docker", 28330) }

func TestReplicasE2ELXC(t *testing.T) { replicasE2E(t, "lxc", 28331) }

func replicasE2E(t *testing.T, backend string, webPort int) {
	if testing.Short() && !testenv.Strict() {
		t.Skip("installs real packages")
	}
	requireEngine(t, backend)
	requireProxy(t)
	testenv.CacheShared(t)
	t.Setenv("DEVBOX_NO_NAT", "1")
	dir, err := filepath.Abs("../../examples/replicas")
	if err != nil {
		t.Fatal(err)
	}
	project := testenv.Project(t, "re2e-"+backend)
	run := func(verb ...string) (int, string, string) {
		t.Helper()
		args := []string{"-C", dir, "--backend", backend, "--project", project, "--var", fmt.Sprint("web_port=", webPort)}
		return realRun(t, proxyEnv, append(args, verb...)...)
	}
	must := func(verb ...string) string {
		t.Helper()
		start := time.Now()
		code, out, errs := run(verb...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", strings.Join(verb, " "), code, out, errs)
		}
		t.Logf("%s took %s", strings.Join(verb, " "), time.Since(start).Round(time.Millisecond))
		return out
	}
	t.Cleanup(func() { run("destroy", "--volumes") })
	url := fmt.Sprintf("http://127.0.0.1:%d/", webPort)

	must("up")
	awaitReplicas(t, url, []int{1, 2}, 10)
	before := replicaIdentities(t, backend, project)

	out := must("scale", "worker=4")
	checkScalePlan(t, out, []string{"create service/worker-3", "create service/worker-4"}, false)
	awaitReplicas(t, url, []int{1, 2, 3, 4}, 20)
	checkNothingToDo(t, run, "router", "front", "worker-1", "worker-2", "worker-3", "worker-4")

	out = must("scale", "worker=1")
	checkScalePlan(t, out, []string{"remove service/worker-4", "remove service/worker-3", "remove service/worker-2"}, true)
	awaitReplicas(t, url, []int{1}, 20)
	checkNothingToDo(t, run, "router", "front", "worker-1")

	if after := replicaIdentities(t, backend, project); !maps.Equal(before, after) {
		t.Errorf("scaling restarted or replaced what it should not touch:\nbefore %v\nafter  %v", before, after)
	}
	checkStatusServices(t, run, "router", "front", "worker-1")

	must("destroy")
	nothingCreated(t, backend, project)
}

// awaitReplicas asks the front end until `window` answers in a row are
// each "replica N" and together come from exactly the replicas want (the
// router round-robins, so a window of a few times len(want) sees them
// all). A failed request or any other answer starts the window again: a
// new replica that has not subscribed yet, or the moment nothing has,
// answers 502. Fails t after a minute, with the last answers.
func awaitReplicas(t *testing.T, url string, want []int, window int) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	start := time.Now()
	var recent []int
	var last string
	for n := 1; time.Since(start) < time.Minute; n++ {
		i, err := replicaAnswer(client, url)
		if err != nil {
			recent, last = nil, err.Error()
			time.Sleep(200 * time.Millisecond)
			continue
		}
		if recent = append(recent, i); len(recent) > window {
			recent = recent[1:]
		}
		if len(recent) == window && slices.Equal(distinct(recent), want) {
			t.Logf("replicas %v answer (%d requests, %s)", want, n, time.Since(start).Round(time.Millisecond))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("GET %s: within a minute no %d answers in a row came from exactly replicas %v; last answers %v, last error %s",
		url, window, want, recent, last)
}

// replicaAnswer is N of the "replica N" the front end answers.
func replicaAnswer(c *http.Client, url string) (int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return 0, err
	}
	var i int
	if _, serr := fmt.Sscanf(string(b), "replica %d\n", &i); resp.StatusCode != 200 || serr != nil {
		return 0, fmt.Errorf("status %d: %q", resp.StatusCode, lastN(string(b), 3))
	}
	return i, nil
}

func distinct(xs []int) []int {
	out := slices.Clone(xs)
	sort.Ints(out)
	return slices.Compact(out)
}

// planAction matches an action line of a printed plan ("  + service/x  create  why").
var planAction = regexp.MustCompile(`(?m)^\s+[-+~>.=]\s+(\S+/\S+)\s+(\S+)`)

// checkScalePlan: scale's printed plan has exactly these actions ("op
// kind/name"), in this order when ordered (removals: highest index first).
func checkScalePlan(t *testing.T, out string, want []string, ordered bool) {
	t.Helper()
	var got []string
	for _, m := range planAction.FindAllStringSubmatch(out, -1) {
		got = append(got, m[2]+" "+m[1])
	}
	g, w := slices.Clone(got), slices.Clone(want)
	if !ordered {
		sort.Strings(g)
		sort.Strings(w)
	}
	if !slices.Equal(g, w) {
		t.Errorf("scale's plan has %q, want only %q:\n%s", got, want, out)
	}
}

// checkNothingToDo: plan after a scale keeps every service, and the
// services are these (the scaled count holds against the file's 2).
func checkNothingToDo(t *testing.T, run func(...string) (int, string, string), services ...string) {
	t.Helper()
	code, out, errs := run("plan")
	if code != 0 || !strings.Contains(out, "0 change(s)") {
		t.Errorf("plan after scale: exit %d, want 0 change(s)\n%s%s", code, out, errs)
	}
	code, out, errs = run("--json", "plan")
	if code != 0 {
		t.Fatalf("plan --json: exit %d\n%s%s", code, out, errs)
	}
	var p struct {
		Actions []struct {
			Op       string
			Resource struct{ Kind, Name string }
		}
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan --json: %v\n%s", err, out)
	}
	var kept []string
	for _, a := range p.Actions {
		if a.Op != "keep" {
			t.Errorf("plan after scale: %s %s/%s, want only keeps", a.Op, a.Resource.Kind, a.Resource.Name)
		}
		if a.Resource.Kind == "service" {
			kept = append(kept, a.Resource.Name)
		}
	}
	sort.Strings(kept)
	want := slices.Sorted(slices.Values(services))
	if !slices.Equal(kept, want) {
		t.Errorf("plan after scale has services %v, want %v", kept, want)
	}
}

// checkStatusServices: status --no-tui has a running row for each of
// services and no other.
func checkStatusServices(t *testing.T, run func(...string) (int, string, string), services ...string) {
	t.Helper()
	code, out, errs := run("status", "--no-tui")
	if code != 0 {
		t.Fatalf("status --no-tui: exit %d\n%s%s", code, out, errs)
	}
	var rows []string
	table := false
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "SERVICE":
			table = true
		case table && len(f) == 0:
			table = false // the table ends at a blank line
		case table && len(f) >= 2:
			rows = append(rows, f[0])
			if f[1] != "running" {
				t.Errorf("status: %s is %s, want running", f[0], f[1])
			}
		}
	}
	sort.Strings(rows)
	if want := slices.Sorted(slices.Values(services)); !slices.Equal(rows, want) {
		t.Errorf("status lists %v, want %v:\n%s", rows, want, out)
	}
}

// replicaIdentities are what changes when the router, the front end or
// worker-1 is restarted or replaced: on docker the container's ID and
// start time, on lxc the unit's main PID and start times (the wall-clock
// one is to the second; the monotonic one to the microsecond).
func replicaIdentities(t *testing.T, backend, project string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, svc := range []string{"router", "front", "worker-1"} {
		var cmd *exec.Cmd
		if backend == "docker" {
			cmd = exec.Command("docker", "inspect", "-f", "{{.Id}} {{.State.Running}} {{.State.StartedAt}}", project+"-"+svc)
		} else {
			unit := "devbox-" + svc + ".service"
			if svc == "worker-1" {
				unit = "devbox-worker@1.service"
			}
			cmd = exec.Command("incus", "exec", lxc.InstanceName(project), "--", "systemctl", "show",
				"-p", "ActiveState", "-p", "ExecMainPID", "-p", "ExecMainStartTimestamp", "-p", "ExecMainStartTimestampMonotonic", unit)
		}
		out, err := cmd.CombinedOutput()
		id := strings.Join(strings.Fields(string(out)), " ")
		if err != nil || !(strings.Contains(id, " true ") || strings.Contains(id, "ActiveState=active")) {
			t.Fatalf("%s: %s is not running: %v\n%s", cmd, svc, err, out)
		}
		ids[svc] = id
	}
	return ids
}

package docker

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// replicaPy answers on 7000 (the declared port, shared by name) and on
// DEVBOX_PORT with "replica <DEVBOX_REPLICA>". Python's default SIGTERM
// action ends it at once: a clean stop, not the kill after the timeout.
const replicaPy = `import os, socket, sys, threading
i, own = os.environ["DEVBOX_REPLICA"], int(os.environ["DEVBOX_PORT"])
def serve(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(16)
    while True:
        c, _ = s.accept(); c.sendall(("replica %s\n" % i).encode()); c.close()
threading.Thread(target=serve, args=(7000,), daemon=True).start()
print("replica %s listening on %d" % (i, own), flush=True)
serve(own)
`

// askPy connects to host:port and prints the line it is sent.
const askPy = `import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
print(c.makefile().readline().strip())
`

const replicaHCL = `
project = %q
image   = "debian/12"
network "lan" { mode = "isolated" }
mount "app" {
  source    = "."
  target    = "/app"
  read_only = true
}
service "worker" {
  replicas = 3
  command  = ["python3", "/app/replica.py"]
  port "w" { port = 7000 }
  mounts   = ["app"]
  networks = ["lan"]
  restart  = "no"
  health {
    command  = ["nc -z 127.0.0.1 $DEVBOX_PORT"]
    interval = "300ms"
    retries  = 30
  }
}
service "front" {
  command    = ["sleep", "infinity"]
  mounts     = ["app"]
  networks   = ["lan"]
  depends_on = ["worker"]
}
`

// replicaFile parses replicaHCL for project in a fresh directory holding
// the scripts, expanded with counts (nil: the file's replicas = 3).
func replicaFile(t *testing.T, dir, project string, counts map[string]int) *envfile.Environment {
	t.Helper()
	writeFile(t, dir, "replica.py", replicaPy)
	writeFile(t, dir, "ask.py", askPy)
	env, _, diags := envfile.Parse(filepath.Join(dir, "devbox.hcl"), []byte(fmt.Sprintf(replicaHCL, project)), envfile.Options{Backend: "docker"})
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	if counts != nil {
		if err := env.ExpandReplicas(counts); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

// replicaIPs maps each running worker replica to its address on lan.
func replicaIPs(t *testing.T, b *Backend, project string) map[string]string {
	t.Helper()
	f := projectFilter(project, engine.KindService)
	f.Add("label", LabelReplicaOf+"=worker")
	cs, err := b.cli.ContainerList(context.Background(), container.ListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range cs {
		if ep := c.NetworkSettings.Networks[NetworkName(project, "lan")]; ep != nil {
			out[c.Labels[LabelName]] = ep.IPAddress
		}
	}
	return out
}

// resolved is the set of addresses front's resolver gives for name
// (getent ahosts: every A record, as getaddrinfo sees them), sorted.
func resolved(t *testing.T, b *Backend, env *envfile.Environment, name string) []string {
	t.Helper()
	out, code := execOut(t, b, env, "front", "getent", "ahosts", name)
	if code != 0 {
		t.Fatalf("getent ahosts %s: exit %d: %s", name, code, out)
	}
	seen := map[string]bool{}
	var ips []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && !seen[f[0]] {
			seen[f[0]] = true
			ips = append(ips, f[0])
		}
	}
	sort.Strings(ips)
	return ips
}

func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// checkDNS: the service name resolves to exactly the running replicas,
// and each replica's own name to its address.
func checkDNS(t *testing.T, b *Backend, env *envfile.Environment, when string, want int) {
	t.Helper()
	ips := replicaIPs(t, b, env.Project)
	if len(ips) != want {
		t.Fatalf("%s: %d running replicas %v, want %d", when, len(ips), ips, want)
	}
	if got := resolved(t, b, env, "worker"); !reflect.DeepEqual(got, sortedValues(ips)) {
		t.Errorf("%s: worker resolves to %v, want the replicas' %v", when, got, ips)
	}
	for name, ip := range ips {
		if got := resolved(t, b, env, name); len(got) != 1 || got[0] != ip {
			t.Errorf("%s: %s resolves to %v, want %s", when, name, got, ip)
		}
	}
}

// Three replicas and a dependant: each replica its own container with its
// index and port, all behind the service's name and each by its own.
func TestReplicasUp(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkrep")
	dir := t.TempDir()
	env := replicaFile(t, dir, p, nil)
	mustUp(t, b, env)
	ctx := context.Background()
	ports := map[string]bool{}
	for i := 1; i <= 3; i++ {
		c, err := b.cli.ContainerInspect(ctx, fmt.Sprintf("%s-worker-%d", p, i))
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		vars := strings.Join(c.Config.Env, "\n") + "\n"
		if !strings.Contains(vars, fmt.Sprintf("%s=%d\n", envfile.EnvReplica, i)) {
			t.Errorf("replica %d env lacks %s=%d:\n%s", i, envfile.EnvReplica, i, vars)
		}
		ports[env.Service(envfile.ReplicaName("worker", i)).Env[envfile.EnvPort]] = true
		if c.Config.Labels[LabelReplicaOf] != "worker" || c.Config.Labels[LabelReplica] != fmt.Sprint(i) {
			t.Errorf("replica %d labels %v", i, c.Config.Labels)
		}
	}
	if len(ports) != 3 {
		t.Errorf("DEVBOX_PORTs %v, want 3 different", ports)
	}
	if _, err := b.cli.ContainerInspect(ctx, p+"-front"); err != nil {
		t.Errorf("the unreplicated service keeps its name %s-front: %v", p, err)
	}
	checkDNS(t, b, env, "up", 3)

	// Each replica by its own name and port; the service's port by name.
	w2 := env.Service("worker-2").Env[envfile.EnvPort]
	if out, _ := execOut(t, b, env, "front", "python3", "/app/ask.py", "worker-2", w2); strings.TrimSpace(out) != "replica 2" {
		t.Errorf("worker-2:%s answered %q", w2, out)
	}
	if out, _ := execOut(t, b, env, "front", "sh", "-c", "echo $WORKER_HOST; python3 /app/ask.py $WORKER_HOST $WORKER_PORT_7000_TCP_PORT"); !strings.HasPrefix(out, "worker\nreplica ") {
		t.Errorf("front via WORKER_HOST: %q", out)
	}

	rows, err := b.Status(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.Name+"="+r.State)
	}
	if got := strings.Join(names, " "); got != "worker-1=running worker-2=running worker-3=running front=running" {
		t.Errorf("status rows %s", got)
	}
	var logs strings.Builder
	if err := b.Logs(ctx, env, "worker-3", false, -1, &logs); err != nil || !strings.Contains(logs.String(), "replica 3 listening") {
		t.Errorf("logs worker-3: %v %q", err, logs.String())
	}
	if err := b.Logs(ctx, env, "worker", false, -1, &logs); err == nil || !strings.Contains(err.Error(), "worker-1, worker-2, worker-3") {
		t.Errorf("logs of the declared name: %v, want it to name the replicas", err)
	}
	if again := mustUp(t, b, env); again.Changes() != 0 {
		t.Errorf("a second up changed something: %v", ops(again))
	}
}

// scaleTo plans a scale of worker to n as the CLI does (an up plan
// narrowed by ScalePlan), checks the full up plan would change no more,
// and applies it: creates through Apply, removals one by one as Stop then
// Remove, highest index first, the others' DNS checked after each. It
// returns the plan.
func scaleTo(t *testing.T, b *Backend, env *envfile.Environment, n int) engine.Plan {
	t.Helper()
	if err := env.ExpandReplicas(map[string]int{"worker": n}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	desired, err := b.Desired(env)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := b.Observe(ctx, env.Project)
	if err != nil {
		t.Fatal(err)
	}
	full := engine.Up(env.Project, b.Name(), desired, obs)
	p := engine.ScalePlan(full, env, []string{"worker"})
	if full.Changes() != p.Changes() {
		t.Errorf("scale to %d: the up plan %v does more than the scale plan %v", n, ops(full), ops(p))
	}
	var creates engine.Plan
	creates.Project, creates.Backend = p.Project, p.Backend
	for _, a := range p.Actions {
		if a.Op != engine.OpRemove {
			creates.Actions = append(creates.Actions, a)
		}
	}
	if err := engine.Apply(ctx, b, env, creates, testProgress(t)); err != nil {
		t.Fatalf("scale to %d: %v", n, err)
	}
	running := len(replicaIPs(t, b, env.Project))
	for _, a := range p.Actions {
		if a.Op == engine.OpRemove {
			removeReplica(t, b, env, a.Resource)
			running--
			checkDNS(t, b, env, "after removing "+a.Resource.Name, running)
		}
	}
	return p
}

// removeReplica stops a replica (it must stop cleanly, not be killed at
// the timeout) and removes it; the others must still resolve.
func removeReplica(t *testing.T, b *Backend, env *envfile.Environment, r engine.Resource) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := b.Stop(ctx, env, r, engine.Discard); err != nil {
		t.Fatal(err)
	}
	c, err := b.cli.ContainerInspect(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if code := c.State.ExitCode; code == 137 {
		t.Errorf("%s: exit %d: killed at the stop timeout, not stopped by SIGTERM", r.Name, code)
	}
	if err := b.Remove(ctx, env, r, engine.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := b.cli.ContainerInspect(ctx, r.ID); !notFound(err) {
		t.Errorf("%s still there after Remove: %v", r.Name, err)
	}
}

// Scaling adds or removes worker replicas only: front and the kept
// replicas keep their containers, and DNS follows the replicas.
func TestReplicasScale(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkscale")
	dir := t.TempDir()
	env := replicaFile(t, dir, p, nil)
	mustUp(t, b, env)
	before := ids(t, b, p)

	plan := scaleTo(t, b, env, 5)
	if got := ops(plan); !reflect.DeepEqual(got, map[string]string{"service/worker-4": "create", "service/worker-5": "create"}) {
		t.Errorf("scale to 5: plan %v", got)
	}
	after := ids(t, b, p)
	for ref, id := range before {
		if after[ref] != id {
			t.Errorf("scale to 5: %s replaced (%s -> %s)", ref, id, after[ref])
		}
	}
	checkDNS(t, b, env, "scaled to 5", 5)

	plan = scaleTo(t, b, env, 1)
	var order []string
	for _, a := range plan.Actions {
		order = append(order, string(a.Op)+" "+a.Resource.Name)
	}
	if got := strings.Join(order, ", "); got != "remove worker-5, remove worker-4, remove worker-3, remove worker-2" {
		t.Errorf("scale to 1: plan %s", got)
	}
	final := ids(t, b, p)
	for _, ref := range []string{"service/front", "service/worker-1", "network/lan"} {
		if final[ref] == "" || final[ref] != before[ref] {
			t.Errorf("scale to 1: %s %q, was %q", ref, final[ref], before[ref])
		}
	}
	checkDNS(t, b, env, "scaled to 1", 1)
	if out, code := execOut(t, b, env, "front", "getent", "hosts", "worker-2"); code == 0 {
		t.Errorf("worker-2 still resolves after its removal: %s", out)
	}
	if again := mustUp(t, b, env); again.Changes() != 0 {
		t.Errorf("up with the scaled count changed something: %v", ops(again))
	}
}

// The scale record round trip: none is an empty map; recorded, it reads
// back; it is no volume to Observe (so no plan touches it); nil removes
// it, twice is fine; destroy leaves nothing of the project.
func TestScaleRecord(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkrec")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := &envfile.Environment{Project: p, Volumes: []envfile.Volume{{Name: "data"}}}
	if got, err := b.Scales(ctx, env); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("no record: %v, %v; want an empty map", got, err)
	}
	if err := b.Create(ctx, env, engine.Resource{Kind: engine.KindVolume, Name: "data", Hash: volumeHash}, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]engine.Scale{"worker": {Count: 4, File: "2"}, "api": {Count: 0, File: ""}}
	if err := b.RecordScales(ctx, env, want); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Scales(ctx, env); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("read back %v, %v; want %v", got, err, want)
	}
	want = map[string]engine.Scale{"worker": {Count: 1, File: "2"}}
	if err := b.RecordScales(ctx, env, want); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Scales(ctx, env); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("replaced: read back %v, %v; want %v", got, err, want)
	}
	obs, err := b.Observe(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 1 || obs[0].Ref().String() != "volume/data" {
		t.Errorf("observed %v, want volume/data only (the record is no resource)", obs)
	}
	if d := engine.Destroy(p, b.Name(), obs, true); len(d.Actions) != 1 {
		t.Errorf("destroy --volumes plans %v", ops(d))
	}
	for i := 0; i < 2; i++ {
		if err := b.RecordScales(ctx, env, nil); err != nil {
			t.Fatalf("remove %d: %v", i+1, err)
		}
	}
	if _, err := b.cli.VolumeInspect(ctx, ScaleVolumeName(p)); !notFound(err) {
		t.Errorf("the record volume is still there: %v", err)
	}
	if got, err := b.Scales(ctx, env); err != nil || len(got) != 0 {
		t.Errorf("after removal: %v, %v", got, err)
	}

	// Destroy (as the CLI does it: plan, then RecordScales nil) leaves no
	// object of the project behind.
	if err := b.RecordScales(ctx, env, want); err != nil {
		t.Fatal(err)
	}
	destroy(t, b, p, true)
	f := projectFilter(p, "")
	vols, err := b.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	nets, err := b.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	if len(vols.Volumes)+len(nets) != 0 {
		t.Errorf("left behind: %d volumes, %d networks", len(vols.Volumes), len(nets))
	}
}

// A volume of the record's name devbox did not make is refused, not read
// or removed.
func TestScaleRecordForeign(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkrecf")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := &envfile.Environment{Project: p}
	if _, err := b.cli.VolumeCreate(ctx, volume.CreateOptions{Name: ScaleVolumeName(p)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.cli.VolumeRemove(context.Background(), ScaleVolumeName(p), true) })
	if _, err := b.Scales(ctx, env); err == nil || !strings.Contains(err.Error(), "docker volume rm") {
		t.Errorf("foreign volume read: %v", err)
	}
	if err := b.RecordScales(ctx, env, nil); err == nil {
		t.Error("foreign volume removed")
	}
	if _, err := b.cli.VolumeInspect(ctx, ScaleVolumeName(p)); err != nil {
		t.Errorf("the foreign volume is gone: %v", err)
	}
}

func TestScaleLabelsRoundTrip(t *testing.T) {
	b := &Backend{Version: "test"}
	in := map[string]engine.Scale{"worker": {Count: 4, File: "2"}, "api": {Count: 3}}
	labels, err := b.scaleLabels("p", in)
	if err != nil {
		t.Fatal(err)
	}
	if labels[labelScale+"worker"] != "4/2" || labels[labelScale+"api"] != "3/" || labels[LabelKind] != kindScale || labels[LabelProject] != "p" {
		t.Errorf("labels %v", labels)
	}
	if out, err := parseScales("v", labels); err != nil || !reflect.DeepEqual(out, in) {
		t.Errorf("parsed %v, %v", out, err)
	}
	if _, err := parseScales("v", map[string]string{labelScale + "x": "many"}); err == nil {
		t.Error("a bad label parsed")
	}
	if _, err := b.scaleLabels("p", map[string]engine.Scale{"x": {Count: -1}}); err == nil {
		t.Error("a negative count recorded")
	}
}

package lxc

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// replicaFile is a worker with 3 replicas, each serving a page that names
// it on its own $DEVBOX_PORT, in the portable form (sh -c: neither engine
// expands variables in an argv), and a front end depending on it.
func replicaFile(t *testing.T, project string) *envfile.Environment {
	t.Helper()
	src := `project = "` + project + `"
backend = "lxc"
image   = "debian/12"
service "worker" {
  replicas = 3
  command  = ["sh", "-c", "d=/tmp/w$DEVBOX_REPLICA; mkdir -p $d && echo replica=$DEVBOX_REPLICA port=$${DEVBOX_PORT} >$d/index.html && echo worker replica $DEVBOX_REPLICA up && cd $d && exec python3 -m http.server --bind 127.0.0.1 $DEVBOX_PORT"]
  health {
    command  = ["sh", "-c", "busybox wget -q -O- http://127.0.0.1:$DEVBOX_PORT/ | grep -qx replica=$DEVBOX_REPLICA.*"]
    interval = "200ms"
  }
}
service "front" {
  command    = ["sleep", "infinity"]
  depends_on = ["worker"]
}
`
	env, _, diags := envfile.Parse(filepath.Join(t.TempDir(), "devbox.hcl"), []byte(src), envfile.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return env
}

// scale does what `devbox scale group=n` does: env expanded with the
// count, the up plan narrowed to the group's replicas, applied.
func scale(t *testing.T, b *Backend, env *envfile.Environment, group string, n int) engine.Plan {
	t.Helper()
	if err := env.ExpandReplicas(map[string]int{group: n}); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	desired, err := b.Desired(env)
	if err != nil {
		t.Fatal(err)
	}
	observed, err := b.Observe(ctx, env.Project)
	if err != nil {
		t.Fatal(err)
	}
	p := engine.ScalePlan(engine.Up(env.Project, "lxc", desired, observed), env, []string{group})
	if err := engine.Apply(ctx, b, env, p, func(e engine.Event) { t.Logf("%s: %s %s", e.Ref, e.Status, e.Error) }); err != nil {
		t.Fatalf("scale %s=%d: %v", group, n, err)
	}
	return p
}

// fetch is the page at url inside the instance (retried while the server
// starts).
func fetch(t *testing.T, b *Backend, env *envfile.Environment, url string) string {
	t.Helper()
	out, err := b.output(testCtx(t), InstanceName(env.Project), "/bin/sh", "-c",
		`for i in $(seq 50); do busybox wget -q -O- "$1" && exit 0; sleep 0.1; done; exit 1`, "sh", url)
	if err != nil {
		t.Fatalf("GET %s in the instance: %v", url, err)
	}
	return strings.TrimSpace(out)
}

// checkReplicas: replicas 1..n run as template instances and each answers
// on its own port, by its own name, with its index; none above n is left.
func checkReplicas(t *testing.T, b *Backend, env *envfile.Environment, n int) {
	t.Helper()
	inst := InstanceName(env.Project)
	for i := 1; i <= n+1; i++ {
		u := ReplicaUnit("worker", i)
		st, _ := b.output(testCtx(t), inst, "systemctl", "is-active", u)
		if want := i <= n; (strings.TrimSpace(st) == "active") != want {
			t.Errorf("%s is %q, want active %v", u, strings.TrimSpace(st), want)
		}
		if i > n {
			if out, _ := b.sh(testCtx(t), inst, "ls -d "+dropIn(u)+" "+wantsPath(u)+" 2>/dev/null; true"); strings.TrimSpace(out) != "" {
				t.Errorf("%s left files behind: %s", u, out)
			}
			continue
		}
		svc := env.Service(envfile.ReplicaName("worker", i))
		port := svc.Env[envfile.EnvPort]
		want := "replica=" + itoa(i) + " port=" + port
		if got := fetch(t, b, env, "http://"+svc.Name+":"+port+"/"); got != want {
			t.Errorf("%s:%s says %q, want %q", svc.Name, port, got, want)
		}
	}
}

func TestReplicasScale(t *testing.T) {
	b := newBackend(t)
	env := replicaFile(t, testenv.Project(t, "lxrep"))
	cleanup(t, b, env)
	ctx := testCtx(t)
	inst := InstanceName(env.Project)

	p := up(t, b, env)
	if o := ops(p); o["service/worker-1"] != engine.OpCreate || o["service/worker-3"] != engine.OpCreate || o["service/front"] != engine.OpCreate {
		t.Fatalf("first up: %v", o)
	}
	checkReplicas(t, b, env, 3)
	// The declared name resolves too (to the instance, as every name).
	if out, err := b.output(ctx, inst, "getent", "hosts", "worker"); err != nil || !strings.HasPrefix(out, "127.0.0.1") {
		t.Errorf("getent hosts worker: %q, %v", out, err)
	}

	checkReplicaVerbs(t, b, env)

	// Scale up: only the new replicas are created; front, the kept
	// replicas and the instance keep running as they were.
	before := unitPIDs(t, b, env)
	hostHash := hostLabel(t, b, env)
	p = scale(t, b, env, "worker", 5)
	if o := ops(p); len(o) != 2 || o["service/worker-4"] != engine.OpCreate || o["service/worker-5"] != engine.OpCreate {
		t.Errorf("scale to 5: %v", o)
	}
	checkReplicas(t, b, env, 5)
	after := unitPIDs(t, b, env)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("scale to 5 restarted %s (%s -> %s)", k, v, after[k])
		}
	}

	// down, then up: the replicas stop with the rest and start again
	// with the instance (their wants links), healthy.
	downUp(t, b, env)
	checkReplicas(t, b, env, 5)

	// Scale down: the highest indices go, stopped; nothing else changes.
	before = unitPIDs(t, b, env)
	p = scale(t, b, env, "worker", 1)
	var removed []string
	for _, a := range p.Actions {
		if a.Op != engine.OpRemove {
			t.Errorf("scale to 1: %s %s", a.Op, a.Resource.Ref())
		}
		removed = append(removed, a.Resource.Name)
	}
	if strings.Join(removed, " ") != "worker-5 worker-4 worker-3 worker-2" {
		t.Errorf("scale to 1 removes %v", removed)
	}
	checkReplicas(t, b, env, 1)
	after = unitPIDs(t, b, env)
	for _, k := range []string{"instance", UnitName("front"), ReplicaUnit("worker", 1)} {
		if after[k] != before[k] {
			t.Errorf("scale to 1 restarted %s (%s -> %s)", k, before[k], after[k])
		}
	}
	if h := hostLabel(t, b, env); h != hostHash {
		t.Errorf("host hash %s -> %s", hostHash, h)
	}
	// An up of the same (scaled) file keeps everything.
	if p := up(t, b, env); p.Changes() != 0 {
		t.Errorf("up after scale: %+v", p.Actions)
	}

	// At 0 the template goes with the last replica; front stays.
	scale(t, b, env, "worker", 0)
	if out, _ := b.sh(ctx, inst, "ls "+TemplatePath("worker")+" 2>/dev/null; true"); strings.TrimSpace(out) != "" {
		t.Errorf("template left at 0 replicas")
	}
	if st, _ := b.output(ctx, inst, "systemctl", "is-active", UnitName("front")); strings.TrimSpace(st) != "active" {
		t.Errorf("front is %q", st)
	}
	var out bytes.Buffer
	if err := b.Logs(ctx, env, "worker", false, 0, &out); err == nil || !strings.Contains(err.Error(), "no replicas") || out.Len() != 0 {
		t.Errorf("logs of 0 replicas: %v, %q", err, out.String())
	}
}

// checkReplicaVerbs: Observe, status, exec, logs, CPU times and ls address
// replicas (3 of worker, and front).
func checkReplicaVerbs(t *testing.T, b *Backend, env *envfile.Environment) {
	t.Helper()
	ctx := testCtx(t)
	observed, err := b.Observe(ctx, env.Project)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range observed {
		if r.Name == "worker-2" && (r.ID != "devbox-worker@2.service" || r.State != engine.StateRunning) {
			t.Errorf("observed worker-2: %+v", r)
		}
	}
	sts, err := b.Status(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		if st.State != engine.StateRunning || st.StartedAt == "" {
			t.Errorf("status %s: %s, started %q", st.Name, st.State, st.StartedAt)
		}
	}
	var out bytes.Buffer
	if code, err := b.Exec(ctx, env, "worker-2", []string{"sh", "-c", "echo $DEVBOX_REPLICA"}, engine.Stdio{Out: &out}); err != nil || code != 0 || strings.TrimSpace(out.String()) != "2" {
		t.Errorf("exec worker-2: %d, %v, %q", code, err, out.String())
	}
	out.Reset()
	if err := b.Logs(ctx, env, "worker-2", false, 0, &out); err != nil || !strings.Contains(out.String(), "worker replica 2 up") || strings.Contains(out.String(), "replica 3") {
		t.Errorf("logs worker-2: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := b.Logs(ctx, env, "worker", false, 0, &out); err == nil || !strings.Contains(err.Error(), "worker-1, worker-2, worker-3: name one") {
		t.Errorf("logs of the declared name: %v, want it to name the replicas", err)
	}
	cpu, err := b.SettleReadings(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cpu["worker-3"]; !ok {
		t.Errorf("CPU times lack worker-3: %v", cpu)
	}
	rows, err := b.ListProjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	listed := false
	for _, r := range rows {
		if r.Project == env.Project {
			listed = true
			if r.Running != 4 || r.Total != 4 {
				t.Errorf("ls: %+v, want 4 of 4 units running", r)
			}
		}
	}
	if !listed {
		t.Errorf("ls lacks %s: %+v", env.Project, rows)
	}
}

// downUp stops everything (devbox down) and ups it again; everything runs.
func downUp(t *testing.T, b *Backend, env *envfile.Environment) {
	t.Helper()
	ctx := testCtx(t)
	observed, err := b.Observe(ctx, env.Project)
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Apply(ctx, b, env, engine.Down(env.Project, "lxc", observed), nil); err != nil {
		t.Fatalf("down: %v", err)
	}
	up(t, b, env)
	if observed, err = b.Observe(ctx, env.Project); err != nil {
		t.Fatal(err)
	}
	for _, r := range observed {
		if r.Runs() && r.State != engine.StateRunning {
			t.Errorf("after down and up, %s is %s", r.Ref(), r.State)
		}
	}
}

func hostLabel(t *testing.T, b *Backend, env *envfile.Environment) string {
	t.Helper()
	inst, _, err := b.c.GetInstance(InstanceName(env.Project))
	if err != nil {
		t.Fatal(err)
	}
	return inst.Config[keyHash]
}

// The scale record is one config key of the instance: written and read
// back, removed by nil, none without an instance; writing it restarts
// nothing and changes no hash.
func TestScaleRecord(t *testing.T) {
	b := newBackend(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxrec"), Backend: "lxc", Image: "debian/12",
		Services: []envfile.Service{{Name: "one", Command: []string{"sleep", "infinity"}}}}
	cleanup(t, b, env)
	ctx := testCtx(t)
	if got, err := b.Scales(ctx, env); err != nil || got == nil || len(got) != 0 {
		t.Errorf("no instance: %v, %v", got, err)
	}
	rec := map[string]engine.Scale{"one": {Count: 3, File: ""}}
	if err := b.RecordScales(ctx, env, rec); err == nil || !strings.Contains(err.Error(), "run devbox up first") {
		t.Errorf("record without an instance: %v", err)
	}
	if err := b.RecordScales(ctx, env, nil); err != nil {
		t.Errorf("remove without an instance: %v", err)
	}

	up(t, b, env)
	before, hash := unitPIDs(t, b, env), hostLabel(t, b, env)
	if err := b.RecordScales(ctx, env, rec); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Scales(ctx, env); err != nil || len(got) != 1 || got["one"] != rec["one"] {
		t.Errorf("read back %v, %v", got, err)
	}
	if after := unitPIDs(t, b, env); !equal(before, after) || hostLabel(t, b, env) != hash {
		t.Errorf("recording restarted something or changed the host hash:\n before %v\n after  %v", before, after)
	}
	if p := up(t, b, env); p.Changes() != 0 {
		t.Errorf("up after a record: %+v", p.Actions)
	}
	if err := b.RecordScales(ctx, env, map[string]engine.Scale{}); err != nil {
		t.Fatal(err)
	}
	inst, _, err := b.c.GetInstance(InstanceName(env.Project))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := inst.Config[keyScale]; ok {
		t.Errorf("an empty record left %s = %q", keyScale, v)
	}

	// A rebuild (a package added) keeps the record.
	if err := b.RecordScales(ctx, env, rec); err != nil {
		t.Fatal(err)
	}
	env.Services[0].Provision = []string{"true"}
	if p := up(t, b, env); ops(p)["host/"+InstanceName(env.Project)] != engine.OpReplace {
		t.Fatalf("no rebuild: %v", ops(p))
	}
	if got, err := b.Scales(context.Background(), env); err != nil || got["one"] != rec["one"] {
		t.Errorf("after a rebuild: %v, %v", got, err)
	}
}

// A replicated service that listens on a fixed port is refused with the
// fix, from the file, before anything is made.
func TestReplicasWithAPortAreRefused(t *testing.T) {
	env := replicaFile(t, "lxrepport")
	env.Declared[0].Ports = []envfile.Port{{Name: "http", Port: 8000, Protocol: "tcp"}}
	if err := env.ExpandReplicas(nil); err != nil {
		t.Fatal(err)
	}
	_, err := Desired(env)
	if err == nil || !strings.Contains(err.Error(), `service "worker": its 3 replicas share the instance's network, so they cannot all listen on port 8000; drop the port block`) {
		t.Fatalf("err = %v", err)
	}
}

// A service without replicas scaled: its unit gives way to replicas and
// front, which depends on it, is not touched; once the file applies again
// (here: the scale record no longer holds), it is one unit again.
func TestReplicasFromPlain(t *testing.T) {
	b := newBackend(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxplain"), Backend: "lxc", Image: "debian/12",
		Services: []envfile.Service{
			{Name: "worker", Command: []string{"sleep", "infinity"}},
			{Name: "front", Command: []string{"sleep", "infinity"}, DependsOn: []string{"worker"}},
		}}
	cleanup(t, b, env)
	up(t, b, env)
	before := unitPIDs(t, b, env)

	p := scale(t, b, env, "worker", 2)
	if o := ops(p); len(o) != 3 || o["service/worker"] != engine.OpRemove || o["service/worker-1"] != engine.OpCreate || o["service/worker-2"] != engine.OpCreate {
		t.Errorf("scale to 2: %v", o)
	}
	checkUnits := func(active, gone []string) {
		t.Helper()
		for _, u := range active {
			if st, _ := b.output(testCtx(t), InstanceName(env.Project), "systemctl", "is-active", u); strings.TrimSpace(st) != "active" {
				t.Errorf("%s is %q", u, strings.TrimSpace(st))
			}
		}
		for _, u := range gone {
			if st, _ := b.output(testCtx(t), InstanceName(env.Project), "systemctl", "is-active", u); strings.TrimSpace(st) == "active" {
				t.Errorf("%s still active", u)
			}
		}
	}
	checkUnits([]string{ReplicaUnit("worker", 1), ReplicaUnit("worker", 2), UnitName("front")}, []string{UnitName("worker")})
	after := unitPIDs(t, b, env)
	for _, k := range []string{"instance", UnitName("front")} {
		if after[k] != before[k] {
			t.Errorf("scale restarted %s", k)
		}
	}
	if p := up(t, b, env); p.Changes() != 0 {
		t.Errorf("up after scale: %+v", p.Actions)
	}

	if err := env.ExpandReplicas(nil); err != nil {
		t.Fatal(err)
	}
	p = up(t, b, env)
	if o := ops(p); p.Changes() != 3 || o["service/worker"] != engine.OpCreate || o["service/worker-2"] != engine.OpRemove || o["service/front"] != engine.OpKeep {
		t.Errorf("up of the file: %v", o)
	}
	checkUnits([]string{UnitName("worker"), UnitName("front")}, []string{ReplicaUnit("worker", 1), ReplicaUnit("worker", 2)})
	if out, _ := b.sh(testCtx(t), InstanceName(env.Project), "ls "+TemplatePath("worker")+" 2>/dev/null; true"); strings.TrimSpace(out) != "" {
		t.Errorf("template left after the last replica")
	}
}

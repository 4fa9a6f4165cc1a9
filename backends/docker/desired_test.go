package docker

import (
	"strings"
	"testing"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/system"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

func shopEnv() *envfile.Environment {
	return &envfile.Environment{
		Project: "shop", Image: "debian/12",
		Networks: []envfile.Network{{Name: "lan", Mode: envfile.NetworkIsolated}, {Name: "unused", Mode: envfile.NetworkNAT}},
		Mounts:   []envfile.Mount{{Name: "src", Source: "/tmp/src", Target: "/srv"}},
		Volumes:  []envfile.Volume{{Name: "data"}},
		Services: []envfile.Service{
			{Name: "db", Env: map[string]string{"PGDATA": "/d"}, Ports: []envfile.Port{{Port: 5432}},
				Volumes: map[string]string{"data": "/d"}, Networks: []string{"lan"}},
			{Name: "cache", Ports: []envfile.Port{{Port: 6379}}, Networks: []string{"lan"}},
			{Name: "web", Mounts: []string{"src"}, DependsOn: []string{"db", "cache"},
				Ports: []envfile.Port{{Port: 8080, Host: 18080}}},
			{Name: "worker"},
		},
	}
}

func byRef(rs []engine.Resource) map[engine.Ref]engine.Resource {
	m := map[engine.Ref]engine.Resource{}
	for _, r := range rs {
		m[r.Ref()] = r
	}
	return m
}

func TestDesiredResources(t *testing.T) {
	rs, err := Desired(shopEnv())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.Ref().String())
	}
	want := "network/default network/lan volume/data service/db service/cache service/web service/worker"
	if strings.Join(got, " ") != want {
		t.Errorf("Desired refs:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	m := byRef(rs)
	db := m[engine.Ref{Kind: engine.KindService, Name: "db"}]
	if len(db.Needs) != 2 || db.Needs[0].String() != "network/lan" || db.Needs[1].String() != "volume/data" {
		t.Errorf("db needs %v", db.Needs)
	}
	web := m[engine.Ref{Kind: engine.KindService, Name: "web"}]
	if len(web.Needs) != 1 || web.Needs[0].String() != "network/default" {
		t.Errorf("web needs %v", web.Needs)
	}
	if len(web.After) != 2 || web.After[0].String() != "service/db" || web.After[1].String() != "service/cache" {
		t.Errorf("web after %v", web.After)
	}
	for _, r := range rs {
		if r.Hash == "" {
			t.Errorf("%s has no hash", r.Ref())
		}
	}
}

func hashes(t *testing.T, env *envfile.Environment) map[string]string {
	t.Helper()
	rs, err := Desired(env)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rs {
		out[r.Ref().String()] = r.Hash
	}
	return out
}

func TestHashChanges(t *testing.T) {
	base := hashes(t, shopEnv())
	if again := hashes(t, shopEnv()); len(again) != len(base) {
		t.Fatal("unstable")
	} else {
		for k, v := range base {
			if again[k] != v {
				t.Errorf("%s: hash not stable", k)
			}
		}
	}
	cases := []struct {
		name    string
		mutate  func(e *envfile.Environment)
		changed []string
	}{
		{"db env changes db only (DB_ENV_ is in no other hash)", func(e *envfile.Environment) {
			e.Services[0].Env["PGDATA"] = "/x"
		}, []string{"service/db"}},
		{"a new env var on db changes db only", func(e *envfile.Environment) {
			e.Services[0].Env["NEW"] = "1"
		}, []string{"service/db"}},
		{"db port changes db and its dependant web (DB_PORT_…), not cache or worker", func(e *envfile.Environment) {
			e.Services[0].Ports[0].Port = 5433
		}, []string{"service/db", "service/web"}},
		{"profiles and env-file names shape no container", func(e *envfile.Environment) {
			e.Services[3].Profiles = []string{"debug"}
			e.Services[3].EnvFile = []string{"./w.env"}
		}, nil},
		{"a service added changes no other", func(e *envfile.Environment) {
			e.Services = append(e.Services, envfile.Service{Name: "admin", Ports: []envfile.Port{{Port: 8081}}})
		}, nil},
		{"worker command changes only worker", func(e *envfile.Environment) {
			e.Services[3].Command = []string{"sleep", "1"}
		}, []string{"service/worker"}},
		{"provision step", func(e *envfile.Environment) {
			e.Services[3].Provision = []string{"true"}
		}, []string{"service/worker"}},
		{"mount source", func(e *envfile.Environment) {
			e.Mounts[0].Source = "/tmp/other"
		}, []string{"service/web"}},
		{"image", func(e *envfile.Environment) {
			e.Image = "debian/13"
		}, []string{"service/db", "service/cache", "service/web", "service/worker"}},
		{"service image override", func(e *envfile.Environment) {
			e.Services[1].Docker.Image = "redis:7"
		}, []string{"service/cache"}},
		{"network mode", func(e *envfile.Environment) {
			e.Networks[0].Mode = envfile.NetworkNAT
		}, []string{"network/lan", "service/db", "service/cache"}},
		{"health", func(e *envfile.Environment) {
			e.Services[1].Health = &envfile.Health{Command: []string{"true"}}
		}, []string{"service/cache"}},
		{"systemd", func(e *envfile.Environment) {
			e.Services[3].Systemd = true
		}, []string{"service/worker"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := shopEnv()
			c.mutate(env)
			got := hashes(t, env)
			want := map[string]bool{}
			for _, k := range c.changed {
				want[k] = true
			}
			for k, v := range base {
				if (got[k] != v) != want[k] {
					t.Errorf("%s: changed=%v, want %v", k, got[k] != v, want[k])
				}
			}
		})
	}
}

func TestVolumeHashNeverChanges(t *testing.T) {
	a, b := hashes(t, shopEnv()), shopEnv()
	b.Services[0].Volumes["data"] = "/elsewhere"
	if hashes(t, b)["volume/data"] != a["volume/data"] {
		t.Error("a volume's hash must not change: a replace would delete its data")
	}
}

func TestDesiredErrors(t *testing.T) {
	env := shopEnv()
	env.Services[0].Networks = []string{"nope"}
	if _, err := Desired(env); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("undeclared network: %v", err)
	}
	env = shopEnv()
	env.Services[2].Mounts = []string{"nope"}
	if _, err := Desired(env); err == nil || !strings.Contains(err.Error(), `mount "nope"`) {
		t.Errorf("undeclared mount: %v", err)
	}
}

func TestBuildStepsCachePrefix(t *testing.T) {
	s := &envfile.Service{Packages: []string{"curl"}, Provision: []string{"a", "b", "c"}}
	s2 := &envfile.Service{Packages: []string{"curl"}, Provision: []string{"a", "b", "X"}}
	one, two := buildSteps("sha256:1", s), buildSteps("sha256:1", s2)
	if len(one) != 4 {
		t.Fatalf("%d steps", len(one))
	}
	for i := 0; i < 3; i++ {
		if one[i].Tag != two[i].Tag {
			t.Errorf("step %d: tag differs though the prefix is equal", i+1)
		}
	}
	if one[3].Tag == two[3].Tag {
		t.Error("last step: same tag for different scripts")
	}
	if other := buildSteps("sha256:2", s); other[0].Tag == one[0].Tag {
		t.Error("a new base image must not reuse the cache")
	}
	if !strings.HasPrefix(one[0].Tag, CacheRepo) || !strings.Contains(one[0].Script, "dpkg -s") {
		t.Errorf("step 1: %+v", one[0])
	}
}

func TestPackageScriptQuotes(t *testing.T) {
	sc := packageScript([]string{"a", "b'c"})
	if !strings.Contains(sc, `set -- 'a' 'b'\''c'`) {
		t.Errorf("script:\n%s", sc)
	}
}

func TestHealthConfig(t *testing.T) {
	h := healthConfig(&envfile.Health{Command: []string{"pg_isready", "-q"}})
	if h.Test[0] != "CMD" || h.Retries != defaultRetries || h.Interval != defaultInterval {
		t.Errorf("%+v", h)
	}
	h = healthConfig(&envfile.Health{Command: []string{"nc -z localhost 1 || exit 1"}})
	if h.Test[0] != "CMD-SHELL" {
		t.Errorf("%+v", h)
	}
}

// Editing any one service's env changes that service's hash and no other,
// though the others are still given its env as <NAME>_ENV_<VAR>.
func TestOneEnvEditChangesOneHash(t *testing.T) {
	base := hashes(t, shopEnv())
	for i, s := range shopEnv().Services {
		t.Run(s.Name, func(t *testing.T) {
			env := shopEnv()
			if env.Services[i].Env == nil {
				env.Services[i].Env = map[string]string{}
			}
			env.Services[i].Env["EDITED"] = "yes"
			got := hashes(t, env)
			for k, v := range base {
				if want := k == "service/"+s.Name; (got[k] != v) != want {
					t.Errorf("%s: changed=%v, want %v", k, got[k] != v, want)
				}
			}
			web := env.Service("web")
			vars := strings.Join(serviceEnv(env, web), " ")
			if i == 0 && !strings.Contains(vars, "DB_ENV_EDITED=yes") {
				t.Errorf("web's env lacks DB_ENV_EDITED: %s", vars)
			}
		})
	}
}

// Hashes of shopEnv() computed before replicas existed (commit 331a183):
// a file without replicas must replace nothing after the upgrade.
var shopGolden = map[string]string{
	"network/default": "b80656a34d56ad0adbf5",
	"network/lan":     "08d7c49d97ba9f59e57a",
	"service/cache":   "62b2be48ae765c4f7f35",
	"service/db":      "2f92ec04ec2feb988d49",
	"service/web":     "8dd3cc05d05f668a0eb6",
	"service/worker":  "62be5971a7d13b7e10fc",
	"volume/data":     "volume-v1",
}

func TestUnreplicatedHashesUnchanged(t *testing.T) {
	env := shopEnv()
	if err := env.ExpandReplicas(nil); err != nil {
		t.Fatal(err)
	}
	got := hashes(t, env)
	if len(got) != len(shopGolden) {
		t.Errorf("resources %v, want those of %v", got, shopGolden)
	}
	for k, want := range shopGolden {
		if got[k] != want {
			t.Errorf("%s: hash %s, want %s (as before replicas)", k, got[k], want)
		}
	}
	spec := specOf(t, env, "worker")
	if spec.Name != "shop-worker" || strings.Join(spec.Aliases, ",") != "worker" || spec.Config.Labels[LabelReplicaOf] != "" {
		t.Errorf("unreplicated worker: name %s, aliases %v, labels %v", spec.Name, spec.Aliases, spec.Config.Labels)
	}
}

// replicaEnv is shopEnv with worker given file replicas (nil: none), a
// port (so front's links name it), and front depending on it, expanded
// with counts.
func replicaEnv(t *testing.T, file *int, counts map[string]int) *envfile.Environment {
	t.Helper()
	env := shopEnv()
	env.Services[3].Replicas = file
	env.Services[3].Ports = []envfile.Port{{Port: 7000}}
	env.Services[3].Env = map[string]string{"ROLE": "w"}
	env.Services = append(env.Services, envfile.Service{Name: "front", DependsOn: []string{"worker"}, Networks: []string{"lan"}})
	if err := env.ExpandReplicas(counts); err != nil {
		t.Fatal(err)
	}
	return env
}

func intp(n int) *int { return &n }

// sameExceptWorker fails for a resource other than worker's that the two
// have with different hashes, or that one of them lacks.
func sameExceptWorker(t *testing.T, what string, a, b map[string]string) {
	t.Helper()
	for _, m := range []map[string]string{a, b} {
		for k := range m {
			if strings.HasPrefix(k, "service/worker") {
				continue
			}
			if a[k] == "" || a[k] != b[k] {
				t.Errorf("%s: %s hash %q vs %q", what, k, a[k], b[k])
			}
		}
	}
}

// Scaling worker from 2 to 4 adds worker-3 and worker-4 and changes no
// other hash: not worker-1's or worker-2's, not front's (which depends on
// worker), not a network's. Nor does the file's count, or scaling a
// service that had no replicas.
func TestScaleChangesNoOtherHash(t *testing.T) {
	two := hashes(t, replicaEnv(t, intp(2), map[string]int{"worker": 2}))
	four := hashes(t, replicaEnv(t, intp(2), map[string]int{"worker": 4}))
	for k, v := range two {
		if four[k] != v {
			t.Errorf("%s: hash changed with the scale (%s -> %s)", k, v, four[k])
		}
	}
	for _, k := range []string{"service/worker-1", "service/worker-2", "service/front"} {
		if two[k] == "" {
			t.Errorf("%s missing from %v", k, two)
		}
	}
	if _, ok := two["service/worker"]; ok {
		t.Error("the declared name is a resource too")
	}
	if len(four) != len(two)+2 || four["service/worker-3"] == "" || four["service/worker-4"] == "" {
		t.Errorf("scaled to 4: %v", four)
	}
	for k, v := range hashes(t, replicaEnv(t, intp(3), nil)) {
		if four[k] != v {
			t.Errorf("file replicas = 3: %s hash %s, scaled to 4: %s", k, v, four[k])
		}
	}
	plain, three := hashes(t, replicaEnv(t, nil, nil)), hashes(t, replicaEnv(t, nil, map[string]int{"worker": 3}))
	if plain["service/worker"] == "" || three["service/worker-3"] == "" {
		t.Fatalf("unreplicated %v, scaled %v", plain, three)
	}
	sameExceptWorker(t, "worker scaled from none to 3", plain, three)
}

// A dependant waits for every replica of what it depends on.
func TestReplicaDependsOnAll(t *testing.T) {
	rs, err := Desired(replicaEnv(t, intp(2), map[string]int{"worker": 3}))
	if err != nil {
		t.Fatal(err)
	}
	front := byRef(rs)[engine.Ref{Kind: engine.KindService, Name: "front"}]
	var after []string
	for _, r := range front.After {
		after = append(after, r.String())
	}
	if got := strings.Join(after, " "); got != "service/worker-1 service/worker-2 service/worker-3" {
		t.Errorf("front after %s", got)
	}
}

// Scaling the only service that forwards a host port on an isolated
// network to 0 keeps the network (and its hash: it stays non-internal).
func TestScaleToZeroKeepsNetwork(t *testing.T) {
	mk := func(n int) map[string]string {
		env := shopEnv()
		one := 1
		env.Services[3].Replicas = &one
		env.Services[3].Networks = []string{"lan"}
		env.Services[3].Ports = []envfile.Port{{Port: 9000, Host: 19000}}
		env.Services[0].Networks, env.Services[1].Networks = nil, nil
		if err := env.ExpandReplicas(map[string]int{"worker": n}); err != nil {
			t.Fatal(err)
		}
		return hashes(t, env)
	}
	one, zero := mk(1), mk(0)
	if zero["network/lan"] == "" || zero["network/lan"] != one["network/lan"] {
		t.Errorf("network/lan: %q with 1 replica, %q with 0", one["network/lan"], zero["network/lan"])
	}
	if _, ok := zero["service/worker-1"]; ok || len(zero) != len(one)-1 {
		t.Errorf("scaled to 0: %v", zero)
	}
}

func specOf(t *testing.T, env *envfile.Environment, service string) *containerSpec {
	t.Helper()
	b := &Backend{Version: "test"}
	s := env.Service(service)
	if s == nil {
		t.Fatalf("no service %s", service)
	}
	r := engine.Resource{Kind: engine.KindService, Name: s.Name, Hash: "h"}
	spec, err := b.buildSpec(env, s, r, "img", image.InspectResponse{}, system.Info{})
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// A replica answers to the service's name and its own, is labelled with
// both, and gets its index and port; a dependant's discovery names the
// service, not a replica.
func TestReplicaSpec(t *testing.T) {
	env := replicaEnv(t, intp(2), map[string]int{"worker": 3})
	spec := specOf(t, env, "worker-2")
	if spec.Name != "shop-worker-2" || strings.Join(spec.Aliases, ",") != "worker,worker-2" {
		t.Errorf("name %s, aliases %v", spec.Name, spec.Aliases)
	}
	if ep := spec.endpoint(); strings.Join(ep.Aliases, ",") != "worker,worker-2" {
		t.Errorf("endpoint aliases %v", ep.Aliases)
	}
	l := spec.Config.Labels
	if l[LabelReplicaOf] != "worker" || l[LabelReplica] != "2" || l[LabelName] != "worker-2" {
		t.Errorf("labels %v", l)
	}
	vars := strings.Join(spec.Config.Env, " ")
	if !strings.Contains(vars, envfile.EnvReplica+"=2") || !strings.Contains(vars, envfile.EnvPort+"=") {
		t.Errorf("worker-2 env %s", vars)
	}
	front := strings.Join(specOf(t, env, "front").Config.Env, " ")
	if !strings.Contains(front, "WORKER_HOST=worker ") || strings.Contains(front, "WORKER_1") || strings.Contains(front, envfile.EnvReplica) {
		t.Errorf("front env %s", front)
	}
}

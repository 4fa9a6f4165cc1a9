package docker

import (
	"strings"
	"testing"

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

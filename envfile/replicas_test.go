package envfile

import (
	"reflect"
	"strings"
	"testing"
)

const replicasSrc = `service "router" {
  command = ["router"]
  port "sub" { port = 2626 }
}
service "worker" {
  command    = ["worker"]
  replicas   = 3
  env        = { MODE = "w" }
  depends_on = ["router"]
}
service "front" {
  command    = ["front"]
  depends_on = ["worker"]
}
`

func TestExpandReplicas(t *testing.T) {
	env, files, diags := parseIn(t, replicasSrc, Options{})
	if diags.HasErrors() {
		t.Fatal(render(files, diags))
	}
	if got, want := serviceNames(env), []string{"router", "worker-1", "worker-2", "worker-3", "front"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("services %v, want %v", got, want)
	}
	w2 := env.Service("worker-2")
	if w2.ReplicaOf != "worker" || w2.Replica != 2 || w2.Group() != "worker" || w2.Env["MODE"] != "w" || w2.Env[EnvReplica] != "2" {
		t.Errorf("worker-2 = %+v", w2)
	}
	p1, p2 := env.Service("worker-1").Env[EnvPort], w2.Env[EnvPort]
	if p1 == p2 || p1 == "" || p1 == "2626" {
		t.Errorf("DEVBOX_PORT of worker-1 %q, worker-2 %q: want distinct free ports", p1, p2)
	}
	if _, ok := env.Service("router").Env[EnvReplica]; ok {
		t.Error("an unreplicated service got DEVBOX_REPLICA")
	}
	if env.DeclaredService("worker").Env[EnvReplica] != "" {
		t.Error("expanding wrote into the declared service's env")
	}
	if got := env.Members("worker"); !reflect.DeepEqual(got, []string{"worker-1", "worker-2", "worker-3"}) {
		t.Errorf("Members(worker) = %v", got)
	}
	if got := env.Members("router"); !reflect.DeepEqual(got, []string{"router"}) || env.Members("nope") != nil {
		t.Errorf("Members(router) = %v, Members(nope) = %v", got, env.Members("nope"))
	}

	// Again with a scale: the same ports for the same indices, front as it was.
	before := *env.Service("front")
	if err := env.ExpandReplicas(map[string]int{"worker": 5}); err != nil {
		t.Fatal(err)
	}
	if env.ReplicaCount("worker") != 5 || env.Service("worker-2").Env[EnvPort] != p2 {
		t.Errorf("after scale 5: %v, worker-2 port %s (was %s)", serviceNames(env), env.Service("worker-2").Env[EnvPort], p2)
	}
	if !reflect.DeepEqual(*env.Service("front"), before) {
		t.Error("scaling worker changed front")
	}
	// Scaling a service the file does not replicate indexes it.
	if err := env.ExpandReplicas(map[string]int{"router": 2}); err != nil {
		t.Fatal(err)
	}
	if got := env.Members("router"); !reflect.DeepEqual(got, []string{"router-1", "router-2"}) || env.ReplicaCount("worker") != 3 {
		t.Errorf("router scaled: %v, worker %d", got, env.ReplicaCount("worker"))
	}
	if err := env.ExpandReplicas(map[string]int{"worker": 0}); err != nil || env.Members("worker") == nil || len(env.Members("worker")) != 0 {
		t.Errorf("worker=0: %v, members %v", err, env.Members("worker"))
	}
}

func TestReplicasValidation(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"negative", svc("w", `  replicas = -1`), "replicas must be 0 to 99"},
		{"too many", svc("w", `  replicas = 100`), "replicas must be 0 to 99"},
		{"not whole", svc("w", `  replicas = 1.5`), "must be a whole number"},
		{"host port", "backend = \"docker\"\n" + svc("w", `  replicas = 2`, `  port "http" {`, `    port = 80`, `    host = 8080`, `  }`),
			"file.hcl:7:12: Error: Replicas share a host port"},
		{"lxc fixed port", "backend = \"lxc\"\n" + svc("w", `  replicas = 2`, `  port "http" {`, `    port = 80`, `  }`),
			"file.hcl:6:12: Error: Replicas share one network on lxc"},
		{"name taken", svc("w", `  replicas = 2`) + svc("w-2"), `would be named "w-2", which another service has`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, files, diags := parseIn(t, tc.src, Options{})
			if out := render(files, diags); !diags.HasErrors() || !strings.Contains(out, tc.want) {
				t.Errorf("want %q:\n%s", tc.want, out)
			}
		})
	}
	// One replica may forward a host port; a scale above one may not.
	env, files, diags := parseIn(t, svc("w", `  replicas = 1`, `  port "http" {`, `    port = 80`, `    host = 8080`, `  }`), Options{})
	if diags.HasErrors() {
		t.Fatal(render(files, diags))
	}
	if err := env.ExpandReplicas(map[string]int{"w": 2}); err == nil || !strings.Contains(err.Error(), "cannot all forward host port 8080") {
		t.Errorf("scale w=2 with a host port: %v", err)
	}
}

// A replica named on the command line enables its service's profiles.
func TestReplicaNameEnables(t *testing.T) {
	src := svc("w", `  replicas = 2`, `  profiles = ["jobs"]`)
	env, files, diags := parseIn(t, src, Options{Enable: []string{"w-2"}})
	if diags.HasErrors() {
		t.Fatal(render(files, diags))
	}
	if env.ReplicaCount("w") != 2 {
		t.Errorf("w-2 did not enable w: %v", serviceNames(env))
	}
}

package discovery

import (
	"reflect"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/envfile"
)

// A replicated service's variables name the service, not one replica, and
// scaling it changes nobody's variables.
func TestReplicatedServiceVars(t *testing.T) {
	three := 3
	env := &envfile.Environment{Services: []envfile.Service{
		{Name: "worker", Replicas: &three, Env: map[string]string{"MODE": "w"},
			Ports: []envfile.Port{{Name: "http", Port: 8000}}},
		{Name: "front", DependsOn: []string{"worker"}, Ports: []envfile.Port{{Name: "http", Port: 80}}},
	}}
	if err := env.ExpandReplicas(nil); err != nil {
		t.Fatal(err)
	}
	byName := func(s string) string { return s }
	front := env.Service("front")
	vars := ServiceEnv(env, front, byName)
	if vars["WORKER_HOST"] != "worker" || vars["WORKER_PORT"] != "tcp://worker:8000" || vars["WORKER_ENV_MODE"] != "w" {
		t.Errorf("front's worker vars: %v", vars)
	}
	for k := range vars {
		if strings.HasPrefix(k, "WORKER_1") || strings.Contains(k, "DEVBOX_") {
			t.Errorf("front sees a replica's variable %s", k)
		}
	}
	w2 := ServiceEnv(env, env.Service("worker-2"), byName)
	if _, ok := w2["WORKER_HOST"]; ok || w2["FRONT_HOST"] != "front" || w2[envfile.EnvReplica] != "2" {
		t.Errorf("worker-2's vars: %v", w2)
	}
	hashed := HashedEnv(env, front, byName)
	if err := env.ExpandReplicas(map[string]int{"worker": 7}); err != nil {
		t.Fatal(err)
	}
	if again := HashedEnv(env, env.Service("front"), byName); !reflect.DeepEqual(again, hashed) {
		t.Errorf("front's hashed env changed with the count:\n%v\n%v", hashed, again)
	}
}

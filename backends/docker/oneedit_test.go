package docker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// oneEditEnv is three linked services; db and cache have ports and env,
// so every service is given the others' env as <NAME>_ENV_<VAR>.
func oneEditEnv(project string) *envfile.Environment {
	sleep := []string{"sleep", "infinity"}
	return &envfile.Environment{Project: project, Image: debianImage,
		Networks: []envfile.Network{{Name: "lan", Mode: envfile.NetworkIsolated}},
		Services: []envfile.Service{
			{Name: "db", Command: sleep, Env: map[string]string{"ROLE": "primary"},
				Ports: []envfile.Port{{Port: 5432}}, Networks: []string{"lan"}},
			{Name: "cache", Command: sleep, Env: map[string]string{"SIZE": "1"},
				Ports: []envfile.Port{{Port: 6379}}, Networks: []string{"lan"}},
			{Name: "web", Command: sleep, DependsOn: []string{"db", "cache"}, Networks: []string{"lan"}},
		},
	}
}

// Editing one service's env and re-upping replaces that container only:
// the others keep their container IDs (and the DB_ENV_ values they were
// created with, as Docker's links did).
func TestOneEditReplacesOne(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkedit")
	env := oneEditEnv(p)
	mustUp(t, b, env)
	before := ids(t, b, p)
	if out, _ := execOut(t, b, env, "web", "printenv", "DB_ENV_ROLE"); strings.TrimSpace(out) != "primary" {
		t.Fatalf("web's DB_ENV_ROLE = %q, want primary", out)
	}

	edited := oneEditEnv(p)
	edited.Services[0].Env["ROLE"] = "replica"
	plan := mustUp(t, b, edited)
	after := ids(t, b, p)
	for _, svc := range []string{"db", "cache", "web"} {
		ref := "service/" + svc
		if replaced := after[ref] != before[ref]; replaced != (svc == "db") {
			t.Errorf("%s: replaced = %v (plan %v)", svc, replaced, ops(plan))
		}
	}
	if out, _ := execOut(t, b, edited, "db", "printenv", "ROLE"); strings.TrimSpace(out) != "replica" {
		t.Errorf("db's ROLE after the edit = %q, want replica", out)
	}
	if out, _ := execOut(t, b, edited, "web", "printenv", "DB_ENV_ROLE"); strings.TrimSpace(out) != "primary" {
		t.Errorf("web (kept) has DB_ENV_ROLE = %q, want the value it was created with", out)
	}
	if again := mustUp(t, b, edited); again.Changes() != 0 {
		t.Errorf("a second up changed something: %v", ops(again))
	}
}

// Status leaves CPU and memory out; Usage reports them for the running
// services only.
func TestUsageSeparateFromStatus(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkusage")
	env := oneEditEnv(p)
	env.Services = env.Services[:2]
	mustUp(t, b, env)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := b.Stop(ctx, env, engine.Resource{Kind: engine.KindService, Name: "cache"}, engine.Discard); err != nil {
		t.Fatal(err)
	}
	rows, err := b.Status(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.CPU != 0 || r.MemBytes != 0 {
			t.Errorf("Status of %s has usage: %+v", r.Name, r)
		}
	}
	u, err := b.Usage(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := u["cache"]; ok || len(u) != 1 || u["db"].MemBytes == 0 {
		t.Errorf("Usage = %+v, want db only, with memory", u)
	}
}

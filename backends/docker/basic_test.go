package docker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

func TestNewUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := New(ctx, envfile.DockerConfig{Host: "tcp://127.0.0.1:1"})
	if err == nil {
		t.Fatal("New succeeded against a closed port")
	}
	for _, want := range []string{"cannot reach the Docker daemon at tcp://127.0.0.1:1", "devbox doctor", "systemctl start docker"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	checks := Diagnose(ctx, envfile.DockerConfig{Host: "tcp://127.0.0.1:1"}, nil)
	if len(checks) != 1 || checks[0].OK || checks[0].Fix != FixDaemon {
		t.Errorf("Diagnose with the daemon down: %+v", checks)
	}
}

func TestObserveEmptyAndDoctor(t *testing.T) {
	b := newBackend(t)
	ctx := context.Background()
	p := project(t, b, "dkobs")
	obs, err := b.Observe(ctx, p)
	if err != nil || len(obs) != 0 {
		t.Fatalf("Observe of a new project: %v %v", obs, err)
	}
	if b.Name() != "docker" || !strings.Contains(b.Endpoint(), "://") {
		t.Errorf("name %q endpoint %q", b.Name(), b.Endpoint())
	}
	env := &envfile.Environment{Project: p, Image: debianImage,
		Services: []envfile.Service{{Name: "x", Docker: envfile.ServiceDocker{Image: "devbox/no-such-image:1"}}}}
	checks := b.Doctor(ctx, env)
	got := map[string]engine.Check{}
	for _, c := range checks {
		got[c.Name] = c
		t.Logf("%v %s: %s (fix: %s)", c.OK, c.Name, c.Detail, c.Fix)
	}
	if c := got["docker daemon"]; !c.OK || !strings.Contains(c.Detail, "API") {
		t.Errorf("daemon check: %+v", c)
	}
	if c := got["base image debian:12"]; !c.OK {
		t.Errorf("base image check: %+v", c)
	}
	if c := got["storage driver"]; !c.OK {
		t.Errorf("storage check: %+v", c)
	}
	if c := got["image of service x: devbox/no-such-image:1"]; c.OK || c.Fix == "" {
		t.Errorf("missing image check: %+v", c)
	}
}

func TestObserveFindsLabelledObjects(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkobs2")
	env := &envfile.Environment{Project: p, Image: debianImage,
		Networks: []envfile.Network{{Name: "lan", Mode: envfile.NetworkIsolated}},
		Volumes:  []envfile.Volume{{Name: "data"}},
		Services: []envfile.Service{{Name: "app", Networks: []string{"lan"}, Volumes: map[string]string{"data": "/data"},
			Command: []string{"sleep", "infinity"}}},
	}
	mustUp(t, b, env)
	obs, err := b.Observe(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := b.Desired(env)
	got := map[engine.Ref]engine.Resource{}
	for _, o := range obs {
		got[o.Ref()] = o
	}
	for _, d := range want {
		o, ok := got[d.Ref()]
		if !ok || o.Hash != d.Hash || o.ID == "" {
			t.Errorf("%s: observed %+v, want hash %s", d.Ref(), o, d.Hash)
		}
	}
	if s := got[engine.Ref{Kind: engine.KindService, Name: "app"}]; s.State != engine.StateRunning {
		t.Errorf("app state %q", s.State)
	}
	if len(obs) != len(want) {
		t.Errorf("observed %d resources, want %d: %+v", len(obs), len(want), obs)
	}
}

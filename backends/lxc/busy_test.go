package lxc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestFaultBusyCreate: a create left running in incusd by a killed devbox
// (started through the API and abandoned) does not fail the next destroy
// or up with "Instance is busy": they wait for it. An up cancelled during
// the instance create returns without waiting for the create, and the
// next up finishes.
func TestFaultBusyCreate(t *testing.T) {
	b := newBackend(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxbusy"), Backend: "lxc", Image: "debian/12",
		Services: []envfile.Service{{Name: "app", Command: []string{"sleep", "infinity"}}}}
	cleanup(t, b, env)
	img, err := b.resolveImage(testCtx(t), env.Image)
	if err != nil {
		t.Fatal(err)
	}
	name := InstanceName(env.Project)
	abandon := func() {
		t.Helper()
		_, err := b.c.CreateInstance(api.InstancesPost{Name: name, Type: api.InstanceTypeContainer,
			Source:      api.InstanceSource{Type: "image", Fingerprint: img.Image.Fingerprint},
			InstancePut: api.InstancePut{Profiles: []string{"default"}, Config: map[string]string{keyProject: env.Project}}})
		if err != nil {
			t.Fatal(err)
		}
		// A killed devbox got this far: the instance is listed.
		for {
			if _, _, err := b.c.GetInstance(name); err == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	abandon()
	destroy(t, b, env, true)
	if obs, err := b.Observe(testCtx(t), env.Project); err != nil || len(obs) != 0 {
		t.Fatalf("after destroy during an abandoned create: %v %+v", err, obs)
	}

	abandon()
	_, events := upEvents(t, b, env)
	t.Logf("up during an abandoned create waited for it: %v", strings.Contains(strings.Join(events, "\n"), "waiting for Incus"))
	if p := plan(t, b, env); p.Changes() != 0 {
		t.Fatalf("after up: %v", p)
	}

	destroy(t, b, env, true)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	ch, done := applyAsync(ctx, t, b, env, plan(t, b, env))
	waitEvent(t, ch, done, engine.Ref{Kind: engine.KindHost, Name: name}, "creating from", 1)
	cancel()
	start := time.Now()
	err = <-done
	t.Logf("up cancelled during the instance create returned after %s: %v", time.Since(start).Round(time.Millisecond), err)
	if err == nil {
		t.Fatal("cancelled up succeeded")
	}
	up(t, b, env)
	if p := plan(t, b, env); p.Changes() != 0 {
		t.Fatalf("after the up following the cancelled one: %v", p)
	}
}

// TestFaultInterruptedNetworkCreate: an up interrupted as the network
// create starts (the client's context ends, as Ctrl-C ends the CLI's)
// reports the interruption, not a missing image or an image server, and
// the next up finishes the environment.
func TestFaultInterruptedNetworkCreate(t *testing.T) {
	newBackend(t) // skips without Incus
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	b, err := New(ctx, envfile.LXCConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.noNAT = true
	env := &envfile.Environment{Project: testenv.Project(t, "lxni"), Backend: "lxc", Image: "debian/12",
		Services: []envfile.Service{{Name: "app", Command: []string{"sleep", "infinity"}}}}
	b2 := newBackend(t)
	cleanup(t, b2, env)

	ch, done := applyAsync(ctx, t, b, env, plan(t, b, env))
	waitEvent(t, ch, done, engine.Ref{Kind: engine.KindNetwork, Name: DefaultNetwork}, "", 1)
	cancel()
	err = <-done
	for _, e := range []error{err, b.Preflight(ctx, env)} {
		if e == nil || strings.Contains(e.Error(), "not found") || strings.Contains(e.Error(), ".ci") || !strings.Contains(e.Error(), "context canceled") {
			t.Errorf("after the interrupt: %v, want the interruption as the cause", e)
		}
	}
	up(t, b2, env)
	if p := plan(t, b2, env); p.Changes() != 0 {
		t.Errorf("after the next up: %v", p)
	}
}

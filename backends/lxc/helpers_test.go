package lxc

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// newBackend connects to the local incusd or skips (fails under
// DEVBOX_INTEGRATION=1). Bridges it makes have no NAT.
func newBackend(t *testing.T) *Backend {
	t.Helper()
	var b *Backend
	testenv.Require(t, "incus", func() error {
		var err error
		b, err = New(context.Background(), envfile.LXCConfig{})
		return err
	})
	b.noNAT = true
	// Every test here may create from cached layers, which a prune test
	// in another package must not delete meanwhile.
	testenv.CacheShared(t)
	t.Cleanup(func() { b.Close() })
	return b
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// up runs a full `devbox up` of env and returns the plan it applied.
func up(t *testing.T, b *Backend, env *envfile.Environment) engine.Plan {
	t.Helper()
	p, _ := upEvents(t, b, env)
	return p
}

// upEvents is up that also returns the progress it reported, one
// "ref: status" line an event.
func upEvents(t *testing.T, b *Backend, env *envfile.Environment) (engine.Plan, []string) {
	t.Helper()
	ctx := testCtx(t)
	desired, err := b.Desired(env)
	if err != nil {
		t.Fatal(err)
	}
	observed, err := b.Observe(ctx, env.Project)
	if err != nil {
		t.Fatal(err)
	}
	p := engine.Up(env.Project, "lxc", desired, observed)
	start := time.Now()
	var mu sync.Mutex
	var events []string
	progress := func(e engine.Event) {
		t.Logf("%6.2fs %s: %s %s", time.Since(start).Seconds(), e.Ref, e.Status, e.Error)
		mu.Lock()
		events = append(events, e.Ref.String()+": "+e.Status)
		mu.Unlock()
	}
	if err := engine.Apply(ctx, b, env, p, progress); err != nil {
		t.Fatalf("up: %v", err)
	}
	return p, events
}

// destroy runs `devbox destroy [--volumes]` of project.
func destroy(t *testing.T, b *Backend, env *envfile.Environment, volumes bool) {
	t.Helper()
	ctx := context.Background()
	observed, err := b.Observe(ctx, env.Project)
	if err != nil {
		t.Fatal(err)
	}
	p := engine.Destroy(env.Project, "lxc", observed, volumes)
	start := time.Now()
	progress := func(e engine.Event) {
		t.Logf("%6.2fs %s: %s %s", time.Since(start).Seconds(), e.Ref, e.Status, e.Error)
	}
	if err := engine.Apply(ctx, b, env, p, progress); err != nil {
		t.Errorf("destroy: %v", err)
	}
}

// cleanup destroys everything of env, volumes too, when the test ends.
func cleanup(t *testing.T, b *Backend, env *envfile.Environment) {
	t.Cleanup(func() { destroy(t, b, env, true) })
}

// ops counts a plan's actions by op and ref.
func ops(p engine.Plan) map[string]engine.Op {
	m := map[string]engine.Op{}
	for _, a := range p.Actions {
		m[a.Resource.Ref().String()] = a.Op
	}
	return m
}

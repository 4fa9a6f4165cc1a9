package enginetest_test

import (
	"context"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/envfile"
)

// TestConformanceFake runs the Backend suite on the in-memory fake, in
// both shapes: services alone (docker's) and host plus services (lxc's).
func TestConformanceFake(t *testing.T) {
	for _, shape := range []struct {
		name string
		opts []enginetest.Option
	}{
		{"services", nil},
		{"host", []enginetest.Option{enginetest.WithHost()}},
	} {
		t.Run(shape.name, func(t *testing.T) {
			// One engine, as a daemon is: every connection opened sees it.
			f := enginetest.New(shape.opts...)
			enginetest.BackendSuite(t, func(*testing.T) engine.Backend { return f }, enginetest.SuiteOptions{
				Project:      "fake" + shape.name,
				StopByHand:   f.StopByHand,
				ProjectLabel: f.ProjectLabel,
			})
		})
	}
}

// TestFakeHonoursProject: objects of one project are invisible to another
// and untouched by its destroy.
func TestFakeHonoursProject(t *testing.T) {
	ctx := context.Background()
	f := enginetest.New()
	r := engine.Resource{Kind: engine.KindNetwork, Name: "lan", Hash: "h"}
	for _, p := range []string{"a", "b"} {
		if err := f.Create(ctx, envOf(p), r, engine.Discard); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Remove(ctx, &envfile.Environment{Project: "b"}, r, engine.Discard); err != nil {
		t.Fatal(err)
	}
	a, _ := f.Observe(ctx, "a")
	b, _ := f.Observe(ctx, "b")
	if len(a) != 1 || len(b) != 0 {
		t.Errorf("after removing b's lan: a sees %v, b sees %v", a, b)
	}
}

func envOf(project string) *envfile.Environment { return &envfile.Environment{Project: project} }

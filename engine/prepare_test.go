package engine_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/envfile"
)

// preparing is the fake with a Preparer whose creates are slow, so the
// order of prepares, creates and finishes shows.
type preparing struct {
	*enginetest.Fake
	mu  sync.Mutex
	seq []string
}

func (p *preparing) log(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq = append(p.seq, s)
}

func (p *preparing) Create(ctx context.Context, env *envfile.Environment, r engine.Resource, pr engine.Progress) error {
	time.Sleep(50 * time.Millisecond)
	p.log("create " + r.Name)
	return p.Fake.Create(ctx, env, r, pr)
}

func (p *preparing) Prepare(ctx context.Context, env *envfile.Environment, r engine.Resource, pr engine.Progress) (engine.Prepared, error) {
	p.log("prepare " + r.Name)
	return engine.Prepared{
		Finish: func(ctx context.Context) error {
			p.log("finish " + r.Name)
			return p.Fake.Create(ctx, env, r, pr)
		},
		Abandon: func(context.Context) { p.log("abandon " + r.Name) },
	}, nil
}

// TestPrepareWhileDependenciesStart: web (after db and cache) is prepared
// before they are created, and finished only once both are; services with
// nothing to come after are plainly created.
func TestPrepareWhileDependenciesStart(t *testing.T) {
	f := &preparing{Fake: enginetest.New()}
	env := shop()
	desired, _ := f.Desired(env)
	if err := engine.Apply(context.Background(), f, env, engine.Up("shop", "fake", desired, nil), nil); err != nil {
		t.Fatal(err)
	}
	seq := f.seq
	p, fin := index(seq, "prepare web"), index(seq, "finish web")
	if p < 0 || fin < 0 || p > index(seq, "create db") || p > index(seq, "create cache") ||
		fin < index(seq, "create db") || fin < index(seq, "create cache") {
		t.Errorf("order %v", seq)
	}
	if index(seq, "prepare db") >= 0 || index(seq, "create web") >= 0 {
		t.Errorf("db prepared or web created plainly: %v", seq)
	}
}

// TestPreparedNotFinishedWhenAfterFails: db fails, so web, prepared, is
// abandoned, never finished, and the error is db's alone.
func TestPreparedNotFinishedWhenAfterFails(t *testing.T) {
	f := &preparing{Fake: enginetest.New()}
	f.Fail["create service/db"] = errors.New("boom")
	env := shop()
	desired, _ := f.Desired(env)
	err := engine.Apply(context.Background(), f, env, engine.Up("shop", "fake", desired, nil), nil)
	if err == nil || !strings.Contains(err.Error(), "create service/db: boom") || strings.Contains(err.Error(), "web") {
		t.Fatalf("err = %v", err)
	}
	if index(f.seq, "finish web") >= 0 || index(f.seq, "abandon web") < 0 {
		t.Errorf("web finished, or not abandoned, although db failed: %v", f.seq)
	}
}

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

func shop() *envfile.Environment {
	return &envfile.Environment{
		Project: "shop", Image: "debian/12",
		Networks: []envfile.Network{{Name: "lan", Mode: "nat"}},
		Volumes:  []envfile.Volume{{Name: "pgdata"}},
		Services: []envfile.Service{
			{Name: "db", Command: []string{"db"}, Networks: []string{"lan"}, Volumes: map[string]string{"pgdata": "/data"}},
			{Name: "cache", Command: []string{"cache"}, Networks: []string{"lan"}},
			{Name: "web", Command: []string{"web"}, Networks: []string{"lan"}, DependsOn: []string{"db", "cache"}},
		},
	}
}

func up(t *testing.T, f *enginetest.Fake, env *envfile.Environment) engine.Plan {
	t.Helper()
	ctx := context.Background()
	desired, err := f.Desired(env)
	if err != nil {
		t.Fatal(err)
	}
	observed, err := f.Observe(ctx, env.Project)
	if err != nil {
		t.Fatal(err)
	}
	p := engine.Up(env.Project, f.Name(), desired, observed)
	if err := engine.Apply(ctx, f, env, p, nil); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return p
}

func index(calls []string, c string) int {
	for i, x := range calls {
		if x == c {
			return i
		}
	}
	return -1
}

func TestApplyCreatesInDependencyOrder(t *testing.T) {
	f := enginetest.New()
	up(t, f, shop())
	calls := f.Calls()
	if len(calls) != 5 {
		t.Fatalf("calls = %v", calls)
	}
	before := func(a, b string) {
		if ia, ib := index(calls, a), index(calls, b); ia < 0 || ib < 0 || ia > ib {
			t.Errorf("%q must come before %q: %v", a, b, calls)
		}
	}
	before("create network/lan", "create service/db")
	before("create volume/pgdata", "create service/db")
	before("create service/db", "create service/web")
	before("create service/cache", "create service/web")
}

func TestReUpNoopAndSingleChange(t *testing.T) {
	f := enginetest.New()
	env := shop()
	up(t, f, env)
	f.Calls()
	ids := map[string]string{}
	for _, s := range []string{"db", "cache", "web"} {
		ids[s] = f.ID(engine.KindService, s)
	}
	if p := up(t, f, env); p.Changes() != 0 {
		t.Fatalf("second up planned changes: %+v", p.Actions)
	}
	if c := f.Calls(); len(c) != 0 {
		t.Fatalf("second up touched the engine: %v", c)
	}
	env.Services[1].Command = []string{"cache", "--new"}
	up(t, f, env)
	if c := f.Calls(); strings.Join(c, ";") != "remove service/cache;create service/cache" {
		t.Errorf("single change calls = %v", c)
	}
	if f.ID(engine.KindService, "db") != ids["db"] || f.ID(engine.KindService, "web") != ids["web"] {
		t.Error("unchanged services were replaced")
	}
	if f.ID(engine.KindService, "cache") == ids["cache"] {
		t.Error("changed service kept its old ID")
	}
}

func TestFailureStopsDependents(t *testing.T) {
	f := enginetest.New()
	f.Fail["create service/db"] = errors.New("boom")
	env := shop()
	desired, _ := f.Desired(env)
	err := engine.Apply(context.Background(), f, env, engine.Up("shop", "fake", desired, nil), nil)
	if err == nil || !strings.Contains(err.Error(), "create service/db: boom") {
		t.Fatalf("err = %v", err)
	}
	if index(f.Calls(), "create service/web") >= 0 {
		t.Error("web started although its dependency db failed")
	}
}

func TestInterruptedUpIsRepairedByNextUp(t *testing.T) {
	f := enginetest.New()
	env := shop()
	ctx, cancel := context.WithCancel(context.Background())
	f.Block = func(c context.Context, r engine.Resource) error {
		if r.Name == "cache" {
			cancel()
			<-c.Done()
			return c.Err()
		}
		return nil
	}
	desired, _ := f.Desired(env)
	err := engine.Apply(ctx, f, env, engine.Up("shop", "fake", desired, nil), nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted apply: err = %v, want context.Canceled", err)
	}
	if f.ID(engine.KindService, "web") != "" {
		t.Fatal("web created after interruption")
	}
	f.Block = nil
	p := up(t, f, env)
	got := map[string]engine.Op{}
	for _, a := range p.Actions {
		got[a.Resource.Name] = a.Op
	}
	if got["cache"] != engine.OpCreate || got["web"] != engine.OpCreate {
		t.Errorf("repair plan = %v", got)
	}
	for _, s := range []string{"db", "cache", "web"} {
		if f.ID(engine.KindService, s) == "" {
			t.Errorf("%s missing after repair", s)
		}
	}
}

func TestIndependentServicesRunInParallel(t *testing.T) {
	f := enginetest.New()
	env := &envfile.Environment{Project: "p"}
	for _, n := range []string{"a", "b", "c", "d"} {
		env.Services = append(env.Services, envfile.Service{Name: n, Command: []string{n}})
	}
	var mu sync.Mutex
	inflight, peak := 0, 0
	f.Block = func(ctx context.Context, r engine.Resource) error {
		mu.Lock()
		inflight++
		if inflight > peak {
			peak = inflight
		}
		mu.Unlock()
		time.Sleep(30 * time.Millisecond)
		mu.Lock()
		inflight--
		mu.Unlock()
		return nil
	}
	up(t, f, env)
	if peak < 2 {
		t.Errorf("independent services never overlapped (peak %d)", peak)
	}
}

func TestDownThenDestroyKeepsVolumes(t *testing.T) {
	f := enginetest.New()
	env := shop()
	up(t, f, env)
	f.Calls()
	ctx := context.Background()
	obs, _ := f.Observe(ctx, "shop")
	if err := engine.Apply(ctx, f, env, engine.Down("shop", "fake", obs), nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Calls() {
		if !strings.HasPrefix(c, "stop service/") {
			t.Errorf("down did %q", c)
		}
	}
	obs, _ = f.Observe(ctx, "shop")
	if err := engine.Apply(ctx, f, env, engine.Destroy("shop", "fake", obs, false), nil); err != nil {
		t.Fatal(err)
	}
	if f.ID(engine.KindVolume, "pgdata") == "" {
		t.Error("destroy removed a volume without --volumes")
	}
	calls := f.Calls()
	if index(calls, "remove service/db") > index(calls, "remove network/lan") {
		t.Errorf("teardown must remove services before networks: %v", calls)
	}
}

// slowStop makes stopping one service slow, so an order that does not
// wait for it shows.
type slowStop struct {
	*enginetest.Fake
	slow string
	mu   sync.Mutex
	seq  []string
}

func (s *slowStop) Stop(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	if r.Name == s.slow {
		time.Sleep(150 * time.Millisecond)
	}
	s.mu.Lock()
	s.seq = append(s.seq, r.Name)
	s.mu.Unlock()
	return s.Fake.Stop(ctx, env, r, p)
}

// TestDownStopsDependantsFirst: web depends on db and cache, so down stops
// web before either, even when stopping web is the slow one.
func TestDownStopsDependantsFirst(t *testing.T) {
	f := enginetest.New()
	env := shop()
	up(t, f, env)
	s := &slowStop{Fake: f, slow: "web"}
	observed, err := f.Observe(context.Background(), env.Project)
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Apply(context.Background(), s, env, engine.Down(env.Project, f.Name(), observed), nil); err != nil {
		t.Fatal(err)
	}
	if len(s.seq) != 3 || s.seq[0] != "web" {
		t.Errorf("stop order %v, want web first", s.seq)
	}
}

// inHost is a fake whose services live in its host, as lxc's units do.
type inHost struct{ *enginetest.Fake }

func (inHost) ServicesInHost() bool { return true }

// TestDestroyRemovesContainedServicesWithTheHost: when the host goes, a
// backend whose services live in it is not asked to remove each service
// first; a plan that keeps the host still removes the service.
func TestDestroyRemovesContainedServicesWithTheHost(t *testing.T) {
	f := enginetest.New(enginetest.WithHost())
	env := shop()
	up(t, f, env)
	f.Calls()
	b := inHost{f}
	ctx := context.Background()
	obs, _ := f.Observe(ctx, "shop")
	var events []string
	progress := func(e engine.Event) { events = append(events, e.Ref.String()+": "+e.Status) }
	if err := engine.Apply(ctx, b, env, engine.Destroy("shop", "fake", obs, false), progress); err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	for _, c := range calls {
		if strings.HasPrefix(c, "remove service/") {
			t.Errorf("destroy removed a service before its host: %v", calls)
		}
	}
	if !strings.Contains(strings.Join(calls, "\n"), "remove host/") {
		t.Errorf("destroy did not remove the host: %v", calls)
	}
	if !strings.Contains(strings.Join(events, "\n"), "service/web: removed with the host") {
		t.Errorf("events: %v", events)
	}

	// Without the host in the plan, a service removal is done.
	up(t, f, env)
	f.Calls()
	obs, _ = f.Observe(ctx, "shop")
	less := shop()
	less.Services = less.Services[:2]
	desired, _ := f.Desired(less)
	if err := engine.Apply(ctx, b, less, engine.Up("shop", "fake", desired, obs), nil); err != nil {
		t.Fatal(err)
	}
	if calls := f.Calls(); index(calls, "remove service/web") < 0 {
		t.Errorf("removing one service: %v", calls)
	}
}

// killer is a fake whose Remove kills, as docker's forced remove does. Its
// Remove of web waits until db's removal has begun: if Apply still removed
// dependants first, web would wait for itself and time out.
type killer struct {
	*enginetest.Fake
	dbGone chan struct{}
	once   sync.Once
}

func (*killer) RemoveKills() bool { return true }

func (k *killer) Remove(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	switch r.Name {
	case "db":
		k.once.Do(func() { close(k.dbGone) })
	case "web":
		select {
		case <-k.dbGone:
		case <-time.After(5 * time.Second):
			return errors.New("web's removal waited for db's: removed level by level")
		}
	}
	return k.Fake.Remove(ctx, env, r, p)
}

// TestDestroyOnAKillerRemovesAllAtOnce: a backend whose removal kills
// gains nothing from removing web before db, so both go at once; its
// down still stops web first (a stop is graceful).
func TestDestroyOnAKillerRemovesAllAtOnce(t *testing.T) {
	f := enginetest.New()
	env := shop()
	up(t, f, env)
	ctx := context.Background()
	obs, _ := f.Observe(ctx, "shop")
	k := &killer{Fake: f, dbGone: make(chan struct{})}
	if err := engine.Apply(ctx, k, env, engine.Destroy("shop", "fake", obs, false), nil); err != nil {
		t.Fatal(err)
	}
	obs, _ = f.Observe(ctx, "shop")
	for _, r := range obs {
		if r.Kind == engine.KindService {
			t.Errorf("left after destroy: %v", r)
		}
	}

	up(t, f, env)
	s := &slowStop{Fake: f, slow: "web"}
	obs, _ = f.Observe(ctx, "shop")
	if err := engine.Apply(ctx, struct {
		*slowStop
		engine.Killer
	}{s, k}, env, engine.Down("shop", "fake", obs), nil); err != nil {
		t.Fatal(err)
	}
	if len(s.seq) != 3 || s.seq[0] != "web" {
		t.Errorf("stop order on a killer %v, want web first", s.seq)
	}
}

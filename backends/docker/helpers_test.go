package docker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// debianImage is the offline image .ci/setup imports (devbox/busybox is
// not used: its /bin/busybox is a symlink to itself).
const debianImage = "debian/12"

// newBackend connects to the real dockerd, skipping (or failing under
// DEVBOX_INTEGRATION=1) when there is none. Nothing it makes is NATed.
func newBackend(t *testing.T) *Backend {
	t.Helper()
	var b *Backend
	testenv.Require(t, "docker", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		var err error
		b, err = New(ctx, envfile.DockerConfig{})
		return err
	})
	b.noNAT = true // test containers never reach the outside
	// Every test here may build on cached step images, which a prune test
	// in another package must not delete meanwhile.
	testenv.CacheShared(t)
	t.Cleanup(func() { b.Close() })
	return b
}

// project returns a unique project name and destroys it (volumes too)
// when the test ends.
func project(t *testing.T, b *Backend, base string) string {
	t.Helper()
	p := testenv.Project(t, base)
	destroy(t, b, p, true) // leftovers of an earlier, killed run
	t.Cleanup(func() { destroy(t, b, p, true) })
	return p
}

func destroy(t *testing.T, b *Backend, project string, volumes bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	obs, err := b.Observe(ctx, project)
	if err != nil {
		t.Errorf("observe %s: %v", project, err)
		return
	}
	if err := engine.Apply(ctx, b, nil, engine.Destroy(project, b.Name(), obs, volumes), nil); err != nil {
		t.Errorf("destroy %s: %v", project, err)
	}
	// As the CLI's destroy does: the scale record goes too.
	if err := b.RecordScales(ctx, &envfile.Environment{Project: project}, nil); err != nil {
		t.Errorf("destroy %s: %v", project, err)
	}
}

// up plans and applies env, returning the plan it applied.
func up(t *testing.T, b *Backend, env *envfile.Environment) (engine.Plan, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	desired, err := b.Desired(env)
	if err != nil {
		return engine.Plan{}, err
	}
	obs, err := b.Observe(ctx, env.Project)
	if err != nil {
		return engine.Plan{}, err
	}
	p := engine.Up(env.Project, b.Name(), desired, obs)
	return p, engine.Apply(ctx, b, env, p, testProgress(t))
}

func mustUp(t *testing.T, b *Backend, env *envfile.Environment) engine.Plan {
	t.Helper()
	p, err := up(t, b, env)
	if err != nil {
		var sb strings.Builder
		_ = p.Write(&sb)
		t.Fatalf("up: %v\n%s", err, sb.String())
	}
	return p
}

// testProgress logs events (only with -v) and is safe for concurrent use.
func testProgress(t *testing.T) engine.Progress {
	var mu sync.Mutex
	return func(e engine.Event) {
		mu.Lock()
		defer mu.Unlock()
		t.Logf("%s: %s %s", e.Ref, e.Status, e.Error)
	}
}

// ops summarises a plan as "op ref" strings for the actions that change something.
func ops(p engine.Plan) map[string]string {
	out := map[string]string{}
	for _, a := range p.Actions {
		out[a.Resource.Ref().String()] = string(a.Op)
	}
	return out
}

// ids maps service name to container ID.
func ids(t *testing.T, b *Backend, project string) map[string]string {
	t.Helper()
	obs, err := b.Observe(context.Background(), project)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range obs {
		out[r.Ref().String()] = r.ID
	}
	return out
}

// execOut runs cmd in a service and returns its output and exit code.
func execOut(t *testing.T, b *Backend, env *envfile.Environment, service string, cmd ...string) (string, int) {
	t.Helper()
	var out strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code, err := b.Exec(ctx, env, service, cmd, engine.Stdio{Out: &out, Err: &out})
	if err != nil {
		t.Fatalf("exec %s %v: %v", service, cmd, err)
	}
	return out.String(), code
}

// freePort returns a TCP port free on 127.0.0.1 right now.
func freePort(t *testing.T) int {
	t.Helper()
	for p := 20000 + os.Getpid()%20000; ; p++ {
		if probePort("tcp", fmt.Sprintf("127.0.0.1:%d", p)) == nil {
			return p
		}
	}
}

// writeFile writes rel under dir.
func writeFile(t *testing.T, dir, rel, content string) string {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func networkInspectOpts() network.InspectOptions { return network.InspectOptions{} }

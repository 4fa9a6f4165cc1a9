package docker

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// TestInterruptedUpIsRepaired: an up cancelled while one service builds
// and another waits for its health check leaves no build container and no
// half-made image; the next up finishes the job.
func TestInterruptedUpIsRepaired(t *testing.T) {
	b := newBackend(t)
	nonce := fmt.Sprint(time.Now().UnixNano())
	env := &envfile.Environment{Image: debianImage, Services: []envfile.Service{
		{Name: "slow", Command: []string{"sh", "-c", "sleep 2; touch /tmp/ready; exec sleep infinity"},
			Health: &envfile.Health{Command: []string{"test", "-f", "/tmp/ready"},
				Interval: envfile.Duration(200 * time.Millisecond), Timeout: envfile.Duration(time.Second), Retries: 50}},
		{Name: "built", Provision: []string{"sleep 3; echo " + nonce + " > /built"}, Command: []string{"sleep", "infinity"}},
		{Name: "after", Command: []string{"sleep", "infinity"}, DependsOn: []string{"slow"}},
	}}
	tags, err := b.CacheTags(context.Background(), env, "built")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = b.cli.ImageRemove(context.Background(), tags[0], image.RemoveOptions{}) })
	p := project(t, b, "dkintr")
	env.Project = p

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	desired, _ := b.Desired(env)
	if err := engine.Apply(ctx, b, env, engine.Up(p, "docker", desired, nil), testProgress(t)); err == nil {
		t.Fatal("interrupted up succeeded")
	}
	// Only this test's step: other packages' tests build in parallel.
	builds, err := b.cli.ContainerList(context.Background(), container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", LabelKind+"=build"),
			filters.Arg("label", LabelHash+"="+strings.TrimPrefix(tags[0], CacheRepo)))})
	if err != nil || len(builds) != 0 {
		t.Errorf("build containers left: %d %v", len(builds), err)
	}
	if _, err := b.cli.ImageInspect(context.Background(), tags[0]); !notFound(err) {
		t.Errorf("a cache image was tagged for an interrupted step: %v", err)
	}

	plan := mustUp(t, b, env)
	t.Logf("repair plan: %v", ops(plan))
	st, err := b.Status(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.State != "running" {
			t.Errorf("%s: %s after the repairing up", s.Name, s.State)
		}
	}
	if out, _ := execOut(t, b, env, "built", "cat", "/built"); out != nonce+"\n" {
		t.Errorf("built: %q", out)
	}
}

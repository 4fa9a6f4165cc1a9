package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"

	"github.com/devbox-dev/devbox/backends/docker"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// BenchmarkDockerProvisionCache times one service with 4 provision steps
// of about a second each: a cold build, an up of a fresh checkout (all
// cached), and an up after changing the last step (one step rebuilt).
// Metrics: cached/cold (≈0) and laststep/cold (≈0.25).
func BenchmarkDockerProvisionCache(b *testing.B) {
	ctx := context.Background()
	var be *docker.Backend
	testenv.Require(b, "docker", func() error {
		var err error
		be, err = docker.New(ctx, envfile.DockerConfig{})
		return err
	})
	defer be.Close()
	mk := func(project, nonce, last string) *envfile.Environment {
		return &envfile.Environment{Project: project, Image: "debian/12", Services: []envfile.Service{{
			Name: "app", Command: []string{"sleep", "infinity"},
			Provision: []string{
				"sleep 1; echo " + nonce + " > /s1", "sleep 1; echo 2 > /s2", "sleep 1; echo 3 > /s3", "sleep 1; echo " + last + " > /s4",
			},
		}}}
	}
	projects := []string{testenv.Project(b, "dkcache1"), testenv.Project(b, "dkcache2")}
	destroy := func() {
		for _, p := range projects {
			obs, _ := be.Observe(ctx, p)
			if err := engine.Apply(ctx, be, nil, engine.Destroy(p, "docker", obs, true), nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	up := func(env *envfile.Environment) time.Duration {
		start := time.Now()
		desired, _ := be.Desired(env)
		obs, err := be.Observe(ctx, env.Project)
		if err != nil {
			b.Fatal(err)
		}
		if err := engine.Apply(ctx, be, env, engine.Up(env.Project, "docker", desired, obs), nil); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	destroy()
	defer destroy()
	var cold, cached, last time.Duration
	var tags []string
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		nonce := fmt.Sprint(time.Now().UnixNano())
		cold += up(mk(projects[0], nonce, "a"))
		cached += up(mk(projects[1], nonce, "a"))
		last += up(mk(projects[0], nonce, "b"))
		b.StopTimer()
		destroy()
		for _, l := range []string{"a", "b"} {
			t, err := be.CacheTags(ctx, mk("", nonce, l), "app")
			if err != nil {
				b.Fatal(err)
			}
			tags = append(tags, t...)
		}
		b.StartTimer()
	}
	b.StopTimer()
	for _, t := range tags {
		_, _ = be.Client().ImageRemove(ctx, t, image.RemoveOptions{})
	}
	n := float64(b.N)
	b.ReportMetric(cold.Seconds()*1000/n, "cold-ms")
	b.ReportMetric(cached.Seconds()*1000/n, "cached-ms")
	b.ReportMetric(last.Seconds()*1000/n, "laststep-ms")
	b.ReportMetric(cached.Seconds()/cold.Seconds(), "cached/cold")
	b.ReportMetric(last.Seconds()/cold.Seconds(), "laststep/cold")
}

package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/devbox-dev/devbox/backends/docker"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

const benchServices = 8

// benchEnv is 8 independent services on the base image, each with a port
// (forwarded to the host) and an env var: what docker_plain.sh makes.
func benchEnv(project string, basePort int) *envfile.Environment {
	env := &envfile.Environment{Project: project, Image: "debian/12"}
	for i := 1; i <= benchServices; i++ {
		env.Services = append(env.Services, envfile.Service{
			Name:    fmt.Sprintf("s%d", i),
			Command: []string{"sleep", "infinity"},
			Env:     map[string]string{"ID": strconv.Itoa(i)},
			Ports:   []envfile.Port{{Name: "http", Port: 80, Host: basePort + i}},
		})
	}
	return env
}

// BenchmarkDockerUp compares a cold `devbox up` of 8 services (image
// present) with docker_plain.sh doing the same with the docker CLI, and
// times a no-change re-up. Metrics: devbox/plain (target ≤ 1) and
// reup/cold (target < 0.1).
func BenchmarkDockerUp(b *testing.B) {
	ctx := context.Background()
	var be *docker.Backend
	testenv.Require(b, "docker", func() error {
		var err error
		be, err = docker.New(ctx, envfile.DockerConfig{})
		return err
	})
	defer be.Close()
	project := testenv.Project(b, "dkbench")
	plainProject := project + "-plain"
	basePort := 41000 + os.Getpid()%1000*10
	env := benchEnv(project, basePort)

	cleanup := func() {
		obs, _ := be.Observe(ctx, project)
		if err := engine.Apply(ctx, be, env, engine.Destroy(project, "docker", obs, true), nil); err != nil {
			b.Fatal(err)
		}
		cli := be.Client()
		f := filters.NewArgs(filters.Arg("label", "dev.devbox.project="+plainProject))
		cs, _ := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
		for _, c := range cs {
			_ = cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
		}
		ns, _ := cli.NetworkList(ctx, network.ListOptions{Filters: f})
		for _, n := range ns {
			_ = cli.NetworkRemove(ctx, n.ID)
		}
	}
	cleanup()
	defer cleanup()
	up := func() (engine.Plan, error) {
		desired, err := be.Desired(env)
		if err != nil {
			return engine.Plan{}, err
		}
		obs, err := be.Observe(ctx, project)
		if err != nil {
			return engine.Plan{}, err
		}
		p := engine.Up(project, "docker", desired, obs)
		if p.Changes() > 0 {
			if err := be.Preflight(ctx, env); err != nil {
				return p, err
			}
		}
		return p, engine.Apply(ctx, be, env, p, nil)
	}

	var plain, cold, reup time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		cmd := exec.CommandContext(ctx, "bash", "docker_plain.sh", plainProject, strconv.Itoa(benchServices), strconv.Itoa(basePort+100))
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("docker_plain.sh: %v\n%s", err, out)
		}
		plain += time.Since(start)

		start = time.Now()
		if _, err := up(); err != nil {
			b.Fatal(err)
		}
		cold += time.Since(start)

		start = time.Now()
		p, err := up()
		if err != nil {
			b.Fatal(err)
		}
		reup += time.Since(start)
		if p.Changes() != 0 {
			b.Fatalf("re-up changed %d things", p.Changes())
		}
		b.StopTimer()
		cleanup()
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(plain.Seconds()*1000/n, "plain-ms")
	b.ReportMetric(cold.Seconds()*1000/n, "devbox-cold-ms")
	b.ReportMetric(reup.Seconds()*1000/n, "devbox-reup-ms")
	b.ReportMetric(cold.Seconds()/plain.Seconds(), "devbox/plain")
	b.ReportMetric(reup.Seconds()/cold.Seconds(), "reup/cold")
}

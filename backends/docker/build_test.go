package docker

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// stepLog records which build steps ran and which came from the cache.
type stepLog struct {
	mu             sync.Mutex
	ran, cached    []string
	titles         map[string]bool
	events, failed []string
}

func (l *stepLog) progress(t *testing.T) engine.Progress {
	return func(e engine.Event) {
		l.mu.Lock()
		defer l.mu.Unlock()
		t.Logf("%s: %s", e.Ref, e.Status)
		// "step 2/4: title" starts a step; "step 2/4: title (cached)" skips it.
		var i, n int
		if _, err := fmt.Sscanf(e.Status, "step %d/%d:", &i, &n); err != nil {
			return
		}
		title := strings.TrimSpace(e.Status[strings.Index(e.Status, ":")+1:])
		switch {
		case strings.HasSuffix(title, "(cached)"):
			l.cached = append(l.cached, fmt.Sprintf("%d/%d", i, n))
		case l.titles[title]:
			l.ran = append(l.ran, fmt.Sprintf("%d/%d", i, n))
		}
	}
}

func buildEnv(project, nonce, last string) *envfile.Environment {
	return &envfile.Environment{Project: project, Image: debianImage, Services: []envfile.Service{{
		Name:     "app",
		Packages: []string{"procps", "netcat-openbsd"}, // baked into the offline image: no network needed
		Provision: []string{
			"echo " + nonce + " > /step1",
			"echo two > /step2",
			last,
		},
		Command: []string{"sleep", "infinity"},
	}}}
}

// TestImageStepCache: a first up builds every step; an up of another
// project with the same steps builds nothing; changing the last step
// rebuilds only that one, on top of the cached image of the step before.
func TestImageStepCache(t *testing.T) {
	b := newBackend(t)
	testenv.CacheShared(t) // the second up must find the first one's step images
	ctx := context.Background()
	nonce := fmt.Sprint(time.Now().UnixNano()) // a cold cache for this run
	lastA, lastB := "echo A > /step3", "echo B > /step3"
	base, err := b.cli.ImageInspect(ctx, "debian:12")
	if err != nil {
		t.Fatal(err)
	}
	steps := buildSteps(base.ID, &buildEnv("", nonce, lastA).Services[0])
	stepsB := buildSteps(base.ID, &buildEnv("", nonce, lastB).Services[0])
	// Registered first, so it runs after the projects' containers are gone.
	t.Cleanup(func() {
		for _, s := range append(steps, stepsB[3]) {
			if _, err := b.cli.ImageRemove(context.Background(), s.Tag, image.RemoveOptions{}); err != nil {
				t.Errorf("remove cache image: %v", err)
			}
		}
	})
	// Step 1 (the packages) has no nonce: a run that was killed before its
	// cleanup leaves its image behind, and this cold up must not find it.
	if _, err := b.cli.ImageRemove(ctx, steps[0].Tag, image.RemoveOptions{Force: true}); err != nil && !notFound(err) {
		t.Fatalf("remove a leftover step 1 image: %v", err)
	}
	p1 := project(t, b, "dkimg1")
	p2 := project(t, b, "dkimg2")
	envA := buildEnv(p1, nonce, lastA)

	run := func(env *envfile.Environment) *stepLog {
		t.Helper()
		l := &stepLog{titles: map[string]bool{}}
		for _, s := range buildSteps(base.ID, &env.Services[0]) {
			l.titles[s.Title] = true
		}
		desired, _ := b.Desired(env)
		obs, _ := b.Observe(ctx, env.Project)
		if err := engine.Apply(ctx, b, env, engine.Up(env.Project, "docker", desired, obs), l.progress(t)); err != nil {
			t.Fatalf("up: %v", err)
		}
		return l
	}

	start := time.Now()
	l := run(envA)
	cold := time.Since(start)
	if strings.Join(l.ran, " ") != "1/4 2/4 3/4 4/4" || len(l.cached) != 0 {
		t.Errorf("cold: ran %v, cached %v", l.ran, l.cached)
	}
	if out, _ := execOut(t, b, envA, "app", "cat", "/step1", "/step2", "/step3"); out != nonce+"\ntwo\nA\n" {
		t.Errorf("provisioned files: %q", out)
	}

	// A fresh checkout (another project) with the same steps builds nothing.
	start = time.Now()
	l = run(buildEnv(p2, nonce, lastA))
	warm := time.Since(start)
	if len(l.ran) != 0 || strings.Join(l.cached, " ") != "1/4 2/4 3/4 4/4" {
		t.Errorf("warm: ran %v, cached %v", l.ran, l.cached)
	}
	t.Logf("cold up %s, cached up %s", cold, warm)

	// Change the last step: only it runs, from step 3's image.
	step3, err := b.cli.ImageInspect(ctx, steps[2].Tag)
	if err != nil {
		t.Fatal(err)
	}
	envB := buildEnv(p1, nonce, lastB)
	l = run(envB)
	if strings.Join(l.ran, " ") != "4/4" || strings.Join(l.cached, " ") != "1/4 2/4 3/4" {
		t.Errorf("last step changed: ran %v, cached %v", l.ran, l.cached)
	}
	if out, _ := execOut(t, b, envB, "app", "cat", "/step1", "/step3"); out != nonce+"\nB\n" {
		t.Errorf("provisioned files: %q", out)
	}
	hist, err := b.cli.ImageHistory(ctx, stepsB[3].Tag)
	if err != nil {
		t.Fatal(err)
	}
	var comments []string
	for _, h := range hist {
		if strings.HasPrefix(h.Comment, "devbox step") {
			comments = append(comments, h.Comment)
		}
	}
	if len(comments) != 4 || !strings.HasPrefix(comments[0], "devbox step 4/4: echo B") {
		t.Errorf("history comments %q", comments)
	}
	if len(hist) < 2 || hist[1].ID != step3.ID {
		t.Errorf("new step 4 is not on the cached step 3 image %s: history %+v", step3.ID, hist)
	}
	// The container runs the service command, never a build step's.
	c, err := b.cli.ContainerInspect(ctx, ContainerName(p1, "app"))
	if err != nil || strings.Join(c.Config.Cmd, " ") != "sleep infinity" || c.Config.Image != stepsB[3].Tag {
		t.Errorf("container cmd %v image %s (%v)", c.Config.Cmd, c.Config.Image, err)
	}
}

func TestBuildStepFailureReportsOutput(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkimgfail")
	env := &envfile.Environment{Project: p, Image: debianImage, Services: []envfile.Service{{
		Name: "app", Provision: []string{"echo about to fail " + fmt.Sprint(time.Now().UnixNano()) + "; exit 7"},
	}}}
	_, err := up(t, b, env)
	if err == nil || !strings.Contains(err.Error(), "exit status 7") || !strings.Contains(err.Error(), "about to fail") ||
		!strings.Contains(err.Error(), "step 1/1") {
		t.Fatalf("error %v", err)
	}
	obs, _ := b.Observe(context.Background(), p)
	for _, o := range obs {
		if o.Kind == engine.KindService {
			t.Errorf("a container was made for a service whose image failed: %+v", o)
		}
	}
}

package lxc

import (
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestFaultHealthMessages: a failing health check's error carries its
// exit code and output; a hanging one says it timed out, and after what.
func TestFaultHealthMessages(t *testing.T) {
	b := newBackend(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxhm"), Backend: "lxc", Image: "debian/12",
		Services: []envfile.Service{{Name: "db", Command: []string{"sleep", "infinity"},
			Health: &envfile.Health{Command: []string{"sh", "-c", "echo probe says no; exit 3"}, Interval: envfile.Duration(100e6), Retries: 2}}}}
	cleanup(t, b, env)
	_, done := applyAsync(testCtx(t), t, b, env, plan(t, b, env))
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "unhealthy after 2 checks") || !strings.Contains(err.Error(), "exited 3") ||
		!strings.Contains(err.Error(), "probe says no") {
		t.Errorf("failing check: %v", err)
	}

	env.Services[0].Health = &envfile.Health{Command: []string{"sleep", "60"}, Timeout: envfile.Duration(300e6), Interval: envfile.Duration(100e6), Retries: 1}
	_, done = applyAsync(testCtx(t), t, b, env, plan(t, b, env))
	err = <-done
	if err == nil || !strings.Contains(err.Error(), "timed out after 300ms") {
		t.Errorf("hanging check: %v", err)
	}
}

// TestFaultNoSystemdImage: an image without systemd (the busybox image
// .ci/setup imports) fails the host create at once, saying so and what to
// use instead, and leaves no instance.
func TestFaultNoSystemdImage(t *testing.T) {
	b := newBackend(t)
	const image = "devbox/busybox"
	if _, err := b.localImage(image); err != nil {
		testenv.Missing(t, "no local image %s: %v", image, err)
	}
	env := &envfile.Environment{Project: testenv.Project(t, "lxns"), Backend: "lxc", Image: image,
		Services: []envfile.Service{{Name: "app", Command: []string{"sleep", "infinity"}}}}
	cleanup(t, b, env)
	start := time.Now()
	_, done := applyAsync(testCtx(t), t, b, env, plan(t, b, env))
	err := <-done
	t.Logf("up of a no-systemd image failed after %s: %v", time.Since(start).Round(time.Millisecond), err)
	if err == nil || !strings.Contains(err.Error(), "has no systemd") || !strings.Contains(err.Error(), `image = "debian/12"`) {
		t.Errorf("up of %s: %v, want it to say the image has no systemd and what to use", image, err)
	}
	if inst, err := b.instance(env.Project); err != nil || inst != nil {
		t.Errorf("instance left behind: %v %v", inst, err)
	}
}

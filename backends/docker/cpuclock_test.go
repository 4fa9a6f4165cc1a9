package docker

import (
	"context"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

func TestUsageUsec(t *testing.T) {
	n, ok := usageUsec([]byte("usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n"))
	if !ok || n != 123456 {
		t.Errorf("got %d %v", n, ok)
	}
	if _, ok := usageUsec([]byte("user_usec 1\n")); ok {
		t.Error("no usage_usec: want not ok")
	}
}

// TestCPUTimes: on this machine's daemon, a busy service's CPU time grows,
// an idle one's does not, and a stopped one is absent.
func TestCPUTimes(t *testing.T) {
	b := newBackend(t)
	ctx := context.Background()
	p := project(t, b, "dkcpu")
	env := &envfile.Environment{Project: p, Image: debianImage, Services: []envfile.Service{
		{Name: "busy", Command: []string{"sh", "-c", "while :; do :; done"}},
		{Name: "idle", Command: []string{"sleep", "infinity"}},
		{Name: "gone", Command: []string{"true"}, Restart: "no"},
	}}
	_, _ = up(t, b, env)
	// gone exits at once, but on a loaded machine the daemon may still
	// list it as running for a moment (its cgroup already gone: unknown);
	// idle's start-up CPU is done by then too.
	var first map[string]time.Duration
	for deadline := time.Now().Add(5 * time.Second); ; {
		var err error
		if first, err = b.CPUTimes(ctx, env); err != nil {
			t.Fatal(err)
		}
		if _, ok := first["gone"]; !ok || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	first, err := b.CPUTimes(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	second, err := b.CPUTimes(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := second["gone"]; ok {
		t.Errorf("a stopped service has a CPU time: %v", second)
	}
	for _, n := range []string{"busy", "idle"} {
		if first[n] == engine.CPUUnknown || second[n] == engine.CPUUnknown {
			t.Fatalf("%s: CPU time unknown on this machine's daemon (cgroup layout?): %v", n, second)
		}
	}
	if d := second["busy"] - first["busy"]; d < 50*time.Millisecond {
		t.Errorf("busy used %v in 300ms", d)
	}
	if d := second["idle"] - first["idle"]; d > 3*time.Millisecond {
		t.Errorf("idle used %v in 300ms", d)
	}
}

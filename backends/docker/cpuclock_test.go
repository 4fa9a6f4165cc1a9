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

// TestSettleReadings: on this machine's daemon, a busy service's CPU time
// grows, an idle one's does not, and a stopped one is absent; a service
// listens once its declared ports do, and not before.
func TestSettleReadings(t *testing.T) {
	b := newBackend(t)
	ctx := context.Background()
	p := project(t, b, "dkcpu")
	env := &envfile.Environment{Project: p, Image: debianImage, Services: []envfile.Service{
		{Name: "busy", Command: []string{"sh", "-c", "while :; do :; done"}},
		{Name: "idle", Command: []string{"sleep", "infinity"}},
		{Name: "gone", Command: []string{"true"}, Restart: "no"},
		{Name: "web", Command: []string{"python3", "-m", "http.server", "8001"}, Ports: []envfile.Port{{Name: "http", Port: 8001}}},
		// Listens on one of its two ports; the other comes much later.
		{Name: "late", Command: []string{"sh", "-c", "python3 -m http.server 8002 & sleep 600; exec python3 -m http.server 8003"},
			Ports: []envfile.Port{{Name: "a", Port: 8002}, {Name: "b", Port: 8003}}},
	}}
	_, _ = up(t, b, env)
	// gone exits at once, but on a loaded machine the daemon may still
	// list it as running for a moment (its cgroup already gone: unknown);
	// idle's start-up CPU is done by then too.
	var first map[string]engine.Reading
	for deadline := time.Now().Add(10 * time.Second); ; {
		var err error
		if first, err = b.SettleReadings(ctx, env); err != nil {
			t.Fatal(err)
		}
		if _, ok := first["gone"]; (!ok && first["web"].Listening) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !first["web"].Listening || first["late"].Listening || first["idle"].Listening || first["busy"].Listening {
		t.Errorf("listening: %+v", first)
	}
	time.Sleep(200 * time.Millisecond)
	first, err := b.SettleReadings(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	second, err := b.SettleReadings(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := second["gone"]; ok {
		t.Errorf("a stopped service has a CPU time: %v", second)
	}
	for _, n := range []string{"busy", "idle"} {
		if first[n].CPU == engine.CPUUnknown || second[n].CPU == engine.CPUUnknown {
			t.Fatalf("%s: CPU time unknown on this machine's daemon (cgroup layout?): %v", n, second)
		}
	}
	if d := second["busy"].CPU - first["busy"].CPU; d < 50*time.Millisecond {
		t.Errorf("busy used %v in 300ms", d)
	}
	if d := second["idle"].CPU - first["idle"].CPU; d > 3*time.Millisecond {
		t.Errorf("idle used %v in 300ms", d)
	}
}

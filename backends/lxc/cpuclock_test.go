package lxc

import (
	"testing"
	"time"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestCPUTimes: a busy unit's CPU time grows (its children's too), an idle
// one's does not, a stopped one is absent.
func TestCPUTimes(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxcpu"), Backend: "lxc", Image: "debian/12", Services: []envfile.Service{
		{Name: "busy", Command: []string{"sh", "-c", "while :; do sh -c 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done'; done"}},
		{Name: "idle", Command: []string{"sleep", "infinity"}},
		{Name: "halted", Command: []string{"sleep", "infinity"}},
	}}
	cleanup(t, b, env)
	up(t, b, env)
	if _, err := b.output(ctx, InstanceName(env.Project), "systemctl", "stop", UnitName("halted")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // idle's start-up CPU done, on a loaded machine too
	first, err := b.CPUTimes(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	second, err := b.CPUTimes(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := second["halted"]; ok {
		t.Errorf("a stopped unit has a CPU time: %v", second)
	}
	if _, ok := second["idle"]; !ok {
		t.Fatalf("no CPU time for a running unit: %v", second)
	}
	if d := second["busy"] - first["busy"]; d < 100*time.Millisecond {
		t.Errorf("busy (in short-lived children) used %v in 500ms: %v → %v", d, first, second)
	}
	if d := second["idle"] - first["idle"]; d > 10*time.Millisecond {
		t.Errorf("idle used %v in 500ms", d)
	}
}

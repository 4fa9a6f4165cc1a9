package lxc

import (
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestSettleReadings: a busy unit's CPU time grows (its children's too),
// an idle one's does not, a stopped one is absent; a unit listens once its
// declared ports do, and not before.
func TestSettleReadings(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxcpu"), Backend: "lxc", Image: "debian/12", Services: []envfile.Service{
		{Name: "busy", Command: []string{"sh", "-c", "while :; do sh -c 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done'; done"}},
		{Name: "idle", Command: []string{"sleep", "infinity"}},
		{Name: "halted", Command: []string{"sleep", "infinity"}},
		{Name: "web", Command: []string{"python3", "-m", "http.server", "8001"}, Ports: []envfile.Port{{Name: "http", Port: 8001}}},
		// Listens on one of its two ports; the other comes much later.
		{Name: "late", Command: []string{"sh", "-c", "python3 -m http.server 8002 & sleep 600; exec python3 -m http.server 8003"},
			Ports: []envfile.Port{{Name: "a", Port: 8002}, {Name: "b", Port: 8003}}},
	}}
	cleanup(t, b, env)
	up(t, b, env)
	if _, err := b.output(ctx, InstanceName(env.Project), "systemctl", "stop", UnitName("halted")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // idle's start-up CPU done, on a loaded machine too
	var first map[string]engine.Reading
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var err error
		if first, err = b.SettleReadings(ctx, env); err != nil {
			t.Fatal(err)
		}
		if first["web"].Listening || time.Now().After(deadline) {
			break
		}
	}
	if !first["web"].Listening || first["late"].Listening || first["idle"].Listening {
		t.Errorf("listening: %+v", first)
	}
	time.Sleep(500 * time.Millisecond)
	second, err := b.SettleReadings(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := second["halted"]; ok {
		t.Errorf("a stopped unit has a CPU time: %v", second)
	}
	if _, ok := second["idle"]; !ok {
		t.Fatalf("no CPU time for a running unit: %v", second)
	}
	if d := second["busy"].CPU - first["busy"].CPU; d < 100*time.Millisecond {
		t.Errorf("busy (in short-lived children) used %v in 500ms: %v → %v", d, first, second)
	}
	if d := second["idle"].CPU - first["idle"].CPU; d > 10*time.Millisecond {
		t.Errorf("idle used %v in 500ms", d)
	}
}

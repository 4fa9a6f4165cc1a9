package lxc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// slowBootUnit is a boot job that takes two minutes, as
// systemd-networkd-wait-online does without a carrier.
const slowBootUnit = `printf '[Unit]\nDescription=devbox test: slow boot job\n\n[Service]\nType=oneshot\nExecStart=/bin/sleep 120\n\n[Install]\nWantedBy=multi-user.target\n' >/etc/systemd/system/devbox-slowboot.service && systemctl enable devbox-slowboot.service`

// TestReadyDuringSlowBootJob: a boot job that takes two minutes delays
// neither an up that creates the instance from its cached layers nor one
// that starts it after a down: the services run while the job (and so
// the boot) is still going.
func TestReadyDuringSlowBootJob(t *testing.T) {
	b := newBackend(t)
	testenv.CacheShared(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxboot"), Image: "debian/12", Services: []envfile.Service{{
		Name: "app", Provision: []string{slowBootUnit}, Command: []string{"sleep", "infinity"},
	}}}
	keys, err := b.CacheKeys(testCtx(t), env)
	if err != nil {
		t.Fatal(err)
	}
	pruneLayers(t, b, keys[1:]) // keys[0], the bare base, is everyone's
	cleanup(t, b, env)
	up(t, b, env) // the job is installed after this boot

	destroy(t, b, env, true)
	start := time.Now()
	p := up(t, b, env)
	if o := ops(p); o["host/"+InstanceName(env.Project)] != engine.OpCreate {
		t.Fatalf("up after destroy: %v", o)
	}
	checkEarly(t, b, env, time.Since(start))

	observed, err := b.Observe(testCtx(t), env.Project)
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Apply(testCtx(t), b, env, engine.Down(env.Project, "lxc", observed), nil); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	p = up(t, b, env)
	if o := ops(p); o["host/"+InstanceName(env.Project)] != engine.OpStart {
		t.Fatalf("up after down: %v", o)
	}
	checkEarly(t, b, env, time.Since(start))
}

// checkEarly: the up took well under the job's two minutes, the app runs,
// and the boot is still starting with the job still activating.
func checkEarly(t *testing.T, b *Backend, env *envfile.Environment, took time.Duration) {
	t.Helper()
	t.Logf("up took %s", took.Round(10*time.Millisecond))
	if took > time.Minute {
		t.Errorf("up took %s: it waited for the slow boot job", took)
	}
	out, _ := b.output(context.Background(), InstanceName(env.Project), "/bin/sh", "-c",
		"systemctl is-system-running; systemctl is-active devbox-slowboot.service "+UnitName("app")+"; true")
	if got := strings.Fields(out); len(got) != 3 || got[0] != "starting" || got[1] != "activating" || got[2] != "active" {
		t.Errorf("is-system-running, slow job, app = %q, want starting activating active", got)
	}
}

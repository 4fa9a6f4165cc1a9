package cli

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// TestDashboardShellKeepsFlags: the shell the dashboard opens reaches the
// same environment: remote, variables and allowed mounts are passed on.
func TestDashboardShellKeepsFlags(t *testing.T) {
	app := &App{remote: "far", vars: []string{"tag=1"}, allowMounts: []string{"/srv/x"}}
	d := &dashboard{app: app, b: fakeNamed{}, env: &envfile.Environment{File: "/p/devbox.hcl", Project: "p"}}
	got := strings.Join(d.shellArgs("web"), " ")
	want := "-f /p/devbox.hcl --backend fake -p p --remote far --var tag=1 --allow-mount /srv/x shell web"
	if got != want {
		t.Errorf("shell args\n got %s\nwant %s", got, want)
	}
}

type fakeNamed struct{ engine.Backend }

func (fakeNamed) Name() string { return "fake" }

// TestDashboardActionsTakeTheLock: a restart from the dashboard waits for
// an up (or destroy) holding the project lock elsewhere.
func TestDashboardActionsTakeTheLock(t *testing.T) {
	h := newHarness(t, shopHCL)
	if code, out, errs := h.run("up"); code != ExitOK {
		t.Fatalf("up: %d\n%s%s", code, out, errs)
	}
	env, _, diags := envfile.Load(h.dir+"/devbox.hcl", envfile.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	app := &App{Getenv: func(k string) string {
		if k == "DEVBOX_LOCK_DIR" {
			return h.dir
		}
		return ""
	}}
	unlock, lerr := engine.Lock(context.Background(), engine.LockDir(app.Getenv), "fake", env.Project, nil)
	if lerr != nil {
		t.Fatal(lerr)
	}
	h.fake.Calls()
	d := &dashboard{app: app, b: h.fake, env: env}
	done := make(chan error, 1)
	go func() { done <- d.Restart(context.Background(), "web") }()
	time.Sleep(200 * time.Millisecond)
	if calls := h.fake.Calls(); len(calls) > 0 {
		t.Errorf("restart acted while another holder had the lock: %v", calls)
	}
	unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if calls := h.fake.Calls(); !slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, "start") }) {
		t.Errorf("restart after the lock was released: calls %v", calls)
	}
}

package lxc

import (
	"context"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

func TestNewDaemonDown(t *testing.T) {
	t.Setenv("INCUS_SOCKET", "/nonexistent/unix.socket")
	_, err := New(context.Background(), envfile.LXCConfig{})
	if err == nil || !strings.Contains(err.Error(), "cannot reach incusd at /nonexistent/unix.socket") || !strings.Contains(err.Error(), "devbox doctor") {
		t.Fatalf("err = %v", err)
	}
}

func TestNewUnknownRemote(t *testing.T) {
	t.Setenv("INCUS_CONF", t.TempDir())
	_, err := New(context.Background(), envfile.LXCConfig{Remote: "nosuch"})
	if err == nil || !strings.Contains(err.Error(), `remote "nosuch"`) {
		t.Fatalf("err = %v", err)
	}
}

func checks(cs []engine.Check) map[string]engine.Check {
	m := map[string]engine.Check{}
	for _, c := range cs {
		m[c.Name] = c
	}
	return m
}

func TestDoctor(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	env := threeTier(testenv.Project(t, "lxdoc"))
	env.Networks = []envfile.Network{{Name: "lan", Mode: "isolated"}, {Name: "office", Mode: "bridged", Parent: "nosuchbr0"}}
	got := checks(b.Doctor(ctx, env))
	for _, name := range []string{"incus daemon", "storage pool", "image debian/12", "network lan"} {
		if !got[name].OK {
			t.Errorf("%s: %+v", name, got[name])
		}
	}
	if c := got["network office"]; c.OK || !strings.Contains(c.Detail, "eth0") || c.Fix == "" {
		t.Errorf("bridged on a missing parent: %+v", c)
	}
	env.Image = "nosuch/1"
	if c := checks(b.Doctor(ctx, env))["image nosuch/1"]; c.OK || c.Fix == "" {
		t.Errorf("missing image: %+v", c)
	}
}

func TestObserveEmpty(t *testing.T) {
	b := newBackend(t)
	rs, err := b.Observe(testCtx(t), testenv.Project(t, "lxnone"))
	if err != nil || len(rs) != 0 {
		t.Fatalf("Observe = %v, %v", rs, err)
	}
}

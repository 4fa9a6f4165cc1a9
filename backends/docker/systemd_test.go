package docker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// TestSystemd: systemd = true runs systemd as PID 1 until
// `systemctl is-system-running` says running or degraded (checked by the
// service's health check, which up waits for), and down stops it cleanly.
func TestSystemd(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dksysd")
	env := &envfile.Environment{Project: p, Image: debianImage, Services: []envfile.Service{{
		Name: "sys", Systemd: true,
		Health: &envfile.Health{Command: []string{"sh", "-c", "systemctl is-system-running | grep -qE '^(running|degraded)$'"},
			Interval: envfile.Duration(500 * time.Millisecond), Timeout: envfile.Duration(5 * time.Second), Retries: 60},
	}}}
	mustUp(t, b, env)
	out, code := execOut(t, b, env, "sys", "systemctl", "is-system-running")
	out = strings.TrimSpace(out)
	if out != "running" && out != "degraded" {
		failed, _ := execOut(t, b, env, "sys", "systemctl", "--failed", "--no-pager")
		t.Fatalf("is-system-running = %q (exit %d)\n%s", out, code, failed)
	}
	if pid1, _ := execOut(t, b, env, "sys", "cat", "/proc/1/comm"); strings.TrimSpace(pid1) != "systemd" {
		t.Errorf("PID 1 is %q", pid1)
	}
	// Its cgroup namespace is private: systemd's tree is the container's own.
	if cg, _ := execOut(t, b, env, "sys", "sh", "-c", "grep -c docker /proc/1/cgroup || true"); strings.TrimSpace(cg) != "0" {
		t.Errorf("host cgroup paths visible in the container: %s", cg)
	}
	t.Logf("systemd: %s", out)

	ctx := context.Background()
	obs, _ := b.Observe(ctx, p)
	if err := engine.Apply(ctx, b, env, engine.Down(p, "docker", obs), nil); err != nil {
		t.Fatal(err)
	}
	// systemd halted on SIGRTMIN+3 exits 0; a kill at the stop timeout
	// leaves 137.
	c, err := b.cli.ContainerInspect(ctx, ContainerName(p, "sys"))
	if err != nil || c.State.Running || c.State.ExitCode != 0 || c.Config.StopSignal != "SIGRTMIN+3" {
		t.Errorf("after down: running=%v exit %d stop signal %q %v", c.State.Running, c.State.ExitCode, c.Config.StopSignal, err)
	}
}

// TestFaultSystemdCannotMakeDevices: a systemd = true container cannot
// make a block device node, and cannot widen devices.allow through the
// cgroup mount Docker gives it.
func TestFaultSystemdCannotMakeDevices(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dksysdev")
	env := &envfile.Environment{Project: p, Image: debianImage, Services: []envfile.Service{{
		Name: "sys", Systemd: true,
		Health: &envfile.Health{Command: []string{"sh", "-c", "systemctl is-system-running | grep -qE '^(running|degraded)$'"},
			Interval: envfile.Duration(500 * time.Millisecond), Timeout: envfile.Duration(5 * time.Second), Retries: 60},
	}}}
	mustUp(t, b, env)
	if out, code := execOut(t, b, env, "sys", "mknod", "/tmp/x", "b", "8", "0"); code == 0 {
		t.Errorf("mknod of a block device succeeded: %s", out)
	}
	if out, code := execOut(t, b, env, "sys", "sh", "-c", "echo a > /sys/fs/cgroup/devices/devices.allow"); code == 0 {
		t.Errorf("writing devices.allow succeeded: %s", out)
	}
	// A unit still runs.
	if out, code := execOut(t, b, env, "sys", "systemd-run", "--wait", "--pipe", "sh", "-c", "echo unit ran"); code != 0 || !strings.Contains(out, "unit ran") {
		t.Errorf("systemd-run: exit %d: %s", code, out)
	}
}

func TestPrivileges(t *testing.T) {
	b := &Backend{}
	env := &envfile.Environment{Services: []envfile.Service{{Name: "app"}, {Name: "sys", Systemd: true}}}
	got := b.Privileges(env)
	if len(got) != 1 || !strings.HasPrefix(got[0], `service "sys": systemd = true: private cgroup namespace`) ||
		!strings.Contains(got[0], "CAP_SYS_ADMIN") || !strings.Contains(got[0], "CAP_MKNOD dropped") {
		t.Errorf("Privileges = %q", got)
	}
}

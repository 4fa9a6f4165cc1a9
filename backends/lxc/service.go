package lxc

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// createService writes the unit (unless the host's create just installed
// it, see installUnits), (re)starts it, waits for its health check, and
// only then records the unit's hash on the instance.
func (b *Backend) createService(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	svc := env.Service(r.Name)
	if svc == nil {
		return fmt.Errorf("lxc: service %q is not in the file", r.Name)
	}
	inst := InstanceName(env.Project)
	unit := renderUnit(svc, serviceEnv(env, svc))
	if !b.takeInstalled(inst, svc.Name, unit) {
		if err := b.writeUnit(ctx, env, svc, unit); err != nil {
			return err
		}
		if err := b.syncPortDevices(ctx, env, svc.Name); err != nil {
			return err
		}
	}
	if err := b.startUnit(ctx, inst, svc, "restart"); err != nil {
		return err
	}
	if hasHealth(svc) {
		// Recorded before the wait: an up killed during it leaves a
		// service that Observe sees as starting (not yet healthy), which
		// the next up waits for instead of restarting it.
		if err := b.setConfig(inst, serviceLabels(svc, r.Hash, "1")); err != nil {
			return err
		}
		return b.waitHealthy(ctx, env, svc, r, p)
	}
	return b.setConfig(inst, serviceLabels(svc, r.Hash, ""))
}

// serviceLabels are the instance config keys of a created service: its
// unit's hash, whether it has a health check, and for a replica the
// service it replicates, which says its unit is a template instance
// (labelledUnit).
func serviceLabels(svc *envfile.Service, hash, health string) map[string]string {
	return map[string]string{keyService + svc.Name: hash, keyHealth + svc.Name: health, keyReplica + svc.Name: svc.ReplicaOf}
}

func (b *Backend) startService(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	svc := env.Service(r.Name)
	if svc == nil {
		return fmt.Errorf("lxc: service %q is not in the file", r.Name)
	}
	if err := b.startUnit(ctx, InstanceName(env.Project), svc, "start"); err != nil {
		return err
	}
	if !hasHealth(svc) {
		return nil
	}
	return b.waitHealthy(ctx, env, svc, r, p)
}

// removeService stops, disables and deletes the unit, then forgets its
// hash; removals running together share one exec and one update
// (removeUnits).
// A service no longer in the file takes its forwards with it; one being
// replaced keeps them for its create (syncPortDevices).
func (b *Backend) removeService(ctx context.Context, env *envfile.Environment, r engine.Resource) error {
	inst := InstanceName(env.Project)
	err := b.removals.do(inst, r.Name, func(services []string) error {
		return b.removeUnits(ctx, inst, services)
	})
	if err != nil || len(env.Services) == 0 || env.Service(r.Name) != nil {
		return err
	}
	if err := b.syncPortDevices(ctx, env, r.Name); err != nil && !api.StatusErrorCheck(err, 404) {
		return err
	}
	return nil
}

// serviceExec prepares cmd to run as the service does: its user, its env
// (with discovery variables) and its working directory.
func (b *Backend) serviceExec(ctx context.Context, env *envfile.Environment, svc *envfile.Service, cmd []string) (execReq, error) {
	inst := InstanceName(env.Project)
	vars := serviceEnv(env, svc)
	req := execReq{Cmd: cmd, Env: vars, Cwd: svc.Workdir}
	user := svc.User
	if user == "" {
		user = "root"
	}
	out, err := b.output(ctx, inst, "getent", "passwd", user)
	if err != nil {
		return req, fmt.Errorf("lxc: service %q: user %q not found in %q: %w", svc.Name, user, inst, err)
	}
	f := strings.Split(strings.TrimSpace(out), ":")
	if len(f) < 6 {
		return req, fmt.Errorf("lxc: service %q: bad passwd entry for %q: %q", svc.Name, user, out)
	}
	uid, _ := strconv.ParseUint(f[2], 10, 32)
	gid, _ := strconv.ParseUint(f[3], 10, 32)
	req.UID, req.GID = uint32(uid), uint32(gid)
	env2 := map[string]string{"HOME": f[5], "USER": f[0], "LOGNAME": f[0]}
	for k, v := range vars {
		env2[k] = v
	}
	req.Env = env2
	if req.Cwd == "" {
		req.Cwd = "/"
	}
	return req, nil
}

// journalTail is the last lines of a unit's journal, for error messages.
func (b *Backend) journalTail(ctx context.Context, inst, unit string) string {
	ctx = context.WithoutCancel(ctx)
	// The program's lines reach the journal through its stdio pipes after
	// systemd has already logged the exit: wait (briefly) for at least one,
	// so a "failed to start" shows what the program said. Under load that
	// took over a second; this is only the failure path, so wait up to 5 s.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if own, err := b.output(ctx, inst, "journalctl", "_SYSTEMD_UNIT="+unit, "-n", "1", "--no-pager", "-o", "cat"); err != nil || strings.TrimSpace(own) != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, err := b.output(ctx, inst, "journalctl", "-u", unit, "-n", "10", "--no-pager", "-o", "cat")
	if err != nil || strings.TrimSpace(out) == "" {
		return ""
	}
	return "\njournal of " + unit + ":\n" + strings.TrimRight(out, "\n")
}

// wantsPath is the link that enables unit.
func wantsPath(unit string) string {
	return unitDir + "multi-user.target.wants/" + unit
}

// daemonReload makes systemd read unit files written at or before written.
// Parallel service creates share reloads: one that started after a file
// was written covers it (a reload takes about a second).
func (b *Backend) daemonReload(ctx context.Context, inst string, written time.Time) error {
	b.reloadMu.Lock()
	defer b.reloadMu.Unlock()
	if b.reloaded[inst].After(written) {
		return nil
	}
	start := time.Now()
	if _, err := b.output(ctx, inst, "systemctl", "daemon-reload"); err != nil {
		return fmt.Errorf("lxc: systemctl daemon-reload in %q: %w", inst, err)
	}
	b.reloaded[inst] = start
	return nil
}

package lxc

import (
	"context"
	"fmt"
	"strings"
	"time"

	incus "github.com/lxc/incus/v6/client"

	"github.com/devbox-dev/devbox/envfile"
)

// maxUnitArgs bounds the unit text one exec of installUnits carries in its
// arguments: Linux takes 2 MiB of arguments and environment in all and
// 128 KiB in one argument, so a larger unit is pushed on its own.
const (
	maxUnitArgs = 512 << 10
	maxUnitArg  = 64 << 10
)

// installScript writes (path, text, wants link) triples (an empty text:
// the unit was pushed, only link it) and, when its first argument is 1,
// reloads systemd. Enabled by hand: systemctl enable would reload once
// per unit.
const installScript = `reload=$1; shift; while [ $# -ge 3 ]; do ` +
	`{ [ -z "$2" ] || printf '%s' "$2" >"$1"; } && ln -sf "../${1##*/}" "$3" || exit 1; shift 3; done; ` +
	`[ "$reload" = 0 ] || systemctl daemon-reload`

// installUnits writes every service's unit and its wants link and reloads
// systemd once, in as few execs as the argument limit allows (one for any
// usual file), for a host just created. Each service's create then only
// starts its unit (see takeInstalled).
func (b *Backend) installUnits(ctx context.Context, env *envfile.Environment) error {
	inst := InstanceName(env.Project)
	texts := map[string]string{}
	var chunks [][]string
	var chunk []string
	size := 0
	for i := range env.Services {
		svc := &env.Services[i]
		unit := renderUnit(svc, serviceEnv(env, svc))
		texts[svc.Name] = unit
		if len(unit) > maxUnitArg {
			if err := b.pushUnit(inst, svc.Name, unit); err != nil {
				return err
			}
			chunk = append(chunk, UnitPath(svc.Name), "", wantsPath(svc.Name))
			continue
		}
		if size+len(unit) > maxUnitArgs && len(chunk) > 0 {
			chunks, chunk, size = append(chunks, chunk), nil, 0
		}
		chunk = append(chunk, UnitPath(svc.Name), unit, wantsPath(svc.Name))
		size += len(unit)
	}
	chunks = append(chunks, chunk)
	for i, c := range chunks {
		reload := "0"
		if i == len(chunks)-1 {
			reload = "1"
		}
		if _, err := b.output(ctx, inst, append([]string{"/bin/sh", "-c", installScript, "sh", reload}, c...)...); err != nil {
			return fmt.Errorf("lxc: install the units in %q: %w", inst, err)
		}
	}
	b.unitsMu.Lock()
	defer b.unitsMu.Unlock()
	if b.installed == nil {
		b.installed = map[string]map[string]string{}
	}
	b.installed[inst] = texts
	return nil
}

// pushUnit writes one unit file through the file API.
func (b *Backend) pushUnit(inst, service, unit string) error {
	err := b.c.CreateInstanceFile(inst, UnitPath(service), incus.InstanceFileArgs{
		Content: strings.NewReader(unit), UID: 0, GID: 0, Mode: 0o644, Type: "file", WriteMode: "overwrite"})
	if err != nil {
		return fmt.Errorf("lxc: write %s in %q: %w", UnitPath(service), inst, err)
	}
	return nil
}

// takeInstalled reports whether installUnits put exactly unit in place for
// service (and /etc/hosts and the port devices with it), and forgets it:
// a later create of the service, in this process, writes its own.
func (b *Backend) takeInstalled(inst, service, unit string) bool {
	b.unitsMu.Lock()
	defer b.unitsMu.Unlock()
	text, ok := b.installed[inst][service]
	delete(b.installed[inst], service)
	return ok && text == unit
}

// forgetInstalled drops what installUnits recorded for services of inst
// (all of them with none named).
func (b *Backend) forgetInstalled(inst string, services ...string) {
	b.unitsMu.Lock()
	defer b.unitsMu.Unlock()
	if len(services) == 0 {
		delete(b.installed, inst)
	}
	for _, s := range services {
		delete(b.installed[inst], s)
	}
}

// writeUnit writes one service's unit and wants link and, when the service
// is not in /etc/hosts yet (added to a running environment), rewrites the
// hosts block, in one exec; then reloads systemd (shared with parallel
// creates, see daemonReload).
func (b *Backend) writeUnit(ctx context.Context, env *envfile.Environment, svc *envfile.Service, unit string) error {
	inst := InstanceName(env.Project)
	written := time.Now()
	if len(unit) > maxUnitArg {
		if err := b.pushUnit(inst, svc.Name, unit); err != nil {
			return err
		}
		unit = ""
	}
	script := `f=$1 text=$2 wants=$3 svc=$4; shift 4; ` +
		`{ [ -z "$text" ] || printf '%s' "$text" >"$f"; } && ln -sf "../${f##*/}" "$wants" || exit 1; ` +
		`sed -n '/^# devbox-begin/,/^# devbox-end/p' /etc/hosts 2>/dev/null | tr -s ' \t' '\n\n' | grep -qxF -- "$svc" && exit 0; ` +
		hostsScript
	args := append([]string{"/bin/sh", "-c", script, "sh", UnitPath(svc.Name), unit, wantsPath(svc.Name), svc.Name}, serviceNames(env)...)
	b.hostsMu.Lock()
	_, err := b.output(ctx, inst, args...)
	b.hostsMu.Unlock()
	if err != nil {
		return fmt.Errorf("lxc: write %s in %q: %w", UnitPath(svc.Name), inst, err)
	}
	return b.daemonReload(ctx, inst, written)
}

// startUnit starts (verb "start") or restarts a service's unit. Without a
// health check the same exec makes sure the unit did not fail straight
// away (within 0.1 s: a wrong command, a missing file; a Type=simple unit
// is active from the fork on, before the program behind the stdio wrapper
// has even run), so its dependants are not started; one that fails later
// is up's settle check's (engine.Settle). With a check, waitHealthy waits.
func (b *Backend) startUnit(ctx context.Context, inst string, svc *envfile.Service, verb string) error {
	u := UnitName(svc.Name)
	script := `systemctl "$2" "$1" || exit 2`
	if !hasHealth(svc) {
		script += `; sleep 0.1; [ "$(systemctl is-active "$1")" != failed ]`
	}
	_, err := b.output(ctx, inst, "/bin/sh", "-c", script, "sh", u, verb)
	if code, ok := exitCode(err); ok && code == 1 {
		return fmt.Errorf("lxc: service %q failed to start%s", svc.Name, b.journalTail(ctx, inst, svc.Name))
	}
	if err != nil {
		return fmt.Errorf("lxc: start %s in %q: %w%s", u, inst, err, b.journalTail(ctx, inst, svc.Name))
	}
	return nil
}

func serviceNames(env *envfile.Environment) []string {
	names := make([]string, 0, len(env.Services))
	for _, s := range env.Services {
		names = append(names, s.Name)
	}
	return names
}

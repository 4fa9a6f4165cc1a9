package lxc

import (
	"context"
	"fmt"
	"path"
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

// writeFiles writes $n (path, text, wants link, link target) quadruples:
// a text unless it is empty (the file was pushed), in a directory made if
// missing (a replica's drop-in), then the link unless it is empty (a
// template is linked by its instances). Enabled by hand: systemctl enable
// would reload once per unit.
const writeFiles = `while [ "$n" -gt 0 ]; do ` +
	`{ [ -z "$2" ] || { { [ -d "${1%/*}" ] || mkdir -p "${1%/*}"; } && printf '%s' "$2" >"$1"; }; } && ` +
	`{ [ -z "$3" ] || ln -sf "$4" "$3"; } || exit 1; shift 4; n=$((n-1)); done; `

// installScript is writeFiles for all its quadruples and, when its first
// argument is 1, reloads systemd.
const installScript = `reload=$1; shift; n=$(($# / 4)); ` + writeFiles +
	`[ "$reload" = 0 ] || systemctl daemon-reload`

// unitFile is one file that defines a unit, and the wants link (to
// target) that enables it.
type unitFile struct {
	path, text, wants, target string
}

// unitFiles are the files of svc's unit, text as renderUnit wrote it: the
// unit file, or for a replica its drop-in, linked as the template's
// instance, after the template its service's replicas share.
func unitFiles(svc *envfile.Service, text string) []unitFile {
	u := unitOf(svc)
	if svc.ReplicaOf == "" {
		return []unitFile{{path: UnitPath(svc.Name), text: text, wants: wantsPath(u), target: "../" + u}}
	}
	tmpl := TemplatePath(svc.ReplicaOf)
	return []unitFile{
		{path: tmpl, text: renderTemplate(svc.ReplicaOf)},
		{path: ReplicaDropIn(svc.ReplicaOf, svc.Replica), text: text, wants: wantsPath(u), target: "../" + path.Base(tmpl)},
	}
}

// args are f's writeFiles arguments.
func (f unitFile) args() []string { return []string{f.path, f.text, f.wants, f.target} }

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
	written := map[string]bool{} // templates, shared by replicas
	for i := range env.Services {
		svc := &env.Services[i]
		unit := renderUnit(svc, serviceEnv(env, svc))
		texts[svc.Name] = unit
		for _, f := range unitFiles(svc, unit) {
			if written[f.path] {
				continue
			}
			written[f.path] = true
			if len(f.text) > maxUnitArg {
				if err := b.pushUnit(ctx, inst, f.path, f.text); err != nil {
					return err
				}
				f.text = ""
			}
			if size+len(f.text) > maxUnitArgs && len(chunk) > 0 {
				chunks, chunk, size = append(chunks, chunk), nil, 0
			}
			chunk = append(chunk, f.args()...)
			size += len(f.text)
		}
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

// pushUnit writes one unit file through the file API, making its
// directory first when it is not the unit directory (a replica's drop-in).
func (b *Backend) pushUnit(ctx context.Context, inst, file, text string) error {
	if dir := path.Dir(file); dir+"/" != unitDir {
		if _, err := b.output(ctx, inst, "mkdir", "-p", dir); err != nil {
			return fmt.Errorf("lxc: make %s in %q: %w", dir, inst, err)
		}
	}
	err := b.c.CreateInstanceFile(inst, file, incus.InstanceFileArgs{
		Content: strings.NewReader(text), UID: 0, GID: 0, Mode: 0o644, Type: "file", WriteMode: "overwrite"})
	if err != nil {
		return fmt.Errorf("lxc: write %s in %q: %w", file, inst, err)
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

// writeUnit writes one service's unit files and wants link and, when the
// service is not in /etc/hosts yet (added to a running environment),
// rewrites the hosts block, in one exec; then reloads systemd (shared with
// parallel creates, see daemonReload).
func (b *Backend) writeUnit(ctx context.Context, env *envfile.Environment, svc *envfile.Service, unit string) error {
	inst := InstanceName(env.Project)
	written := time.Now()
	files := unitFiles(svc, unit)
	args := []string{"/bin/sh", "-c", "", "sh", svc.Name, itoa(len(files))}
	for _, f := range files {
		if len(f.text) > maxUnitArg {
			if err := b.pushUnit(ctx, inst, f.path, f.text); err != nil {
				return err
			}
			f.text = ""
		}
		args = append(args, f.args()...)
	}
	args[2] = `svc=$1 n=$2; shift 2; ` + writeFiles +
		`sed -n '/^# devbox-begin/,/^# devbox-end/p' /etc/hosts 2>/dev/null | tr -s ' \t' '\n\n' | grep -qxF -- "$svc" && exit 0; ` +
		hostsScript
	b.hostsMu.Lock()
	_, err := b.output(ctx, inst, append(args, hostNames(env)...)...)
	b.hostsMu.Unlock()
	if err != nil {
		return fmt.Errorf("lxc: write %s in %q: %w", files[len(files)-1].path, inst, err)
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
	u := unitOf(svc)
	script := `systemctl "$2" "$1" || exit 2`
	if !hasHealth(svc) {
		script += `; sleep 0.1; [ "$(systemctl is-active "$1")" != failed ]`
	}
	_, err := b.output(ctx, inst, "/bin/sh", "-c", script, "sh", u, verb)
	if code, ok := exitCode(err); ok && code == 1 {
		return fmt.Errorf("lxc: service %q failed to start%s", svc.Name, b.journalTail(ctx, inst, u))
	}
	if err != nil {
		return fmt.Errorf("lxc: start %s in %q: %w%s", u, inst, err, b.journalTail(ctx, inst, u))
	}
	return nil
}

// hostNames are the names /etc/hosts maps to the instance: every service,
// each replica under its own name (worker-2) and a replicated service
// under its declared one (worker, even at 0 replicas), as docker's DNS
// answers them.
func hostNames(env *envfile.Environment) []string {
	names := make([]string, 0, len(env.Services))
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, s := range env.Services {
		add(s.Name)
	}
	for _, s := range env.DeclaredServices() {
		add(s.Name)
	}
	return names
}

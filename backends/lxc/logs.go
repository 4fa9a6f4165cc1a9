package lxc

import (
	"context"
	"fmt"
	"io"

	"github.com/devbox-dev/devbox/envfile"
)

// Logs writes a service's journal, the last tail lines (all when tail <=
// 0), following it until ctx is done when follow is set. A replica
// (worker-2) is its own unit's journal; a replicated service's declared
// name (worker) is all its replicas' journals, interleaved in time (the
// CLI, which prefixes lines with the service, asks for each replica).
func (b *Backend) Logs(ctx context.Context, env *envfile.Environment, service string, follow bool, tail int, w io.Writer) error {
	units := serviceUnits(env, service)
	if units == nil {
		return fmt.Errorf("lxc: no service %q in the file", service)
	}
	if len(units) == 0 {
		return nil // scaled to 0: no journal (journalctl without -u is all of it)
	}
	cmd := []string{"journalctl"}
	for _, u := range units {
		cmd = append(cmd, "-u", u)
	}
	cmd = append(cmd, "--no-pager", "-o", "short-iso", "-q")
	if tail > 0 {
		cmd = append(cmd, "-n", itoa(tail))
	}
	if follow {
		cmd = append(cmd, "-f")
	}
	inst := InstanceName(env.Project)
	code, err := b.run(ctx, inst, execReq{Cmd: cmd, Stdout: w, Stderr: w})
	if follow && ctx.Err() != nil {
		return nil // following ends with ctx
	}
	if err != nil {
		return fmt.Errorf("lxc: logs of %q: %w", service, err)
	}
	if code != 0 {
		return fmt.Errorf("lxc: logs of %q: journalctl exited %d", service, code)
	}
	return nil
}

// serviceUnits are the units of name: a service's (a replica's) own, or
// every replica's of a declared replicated service; nil for neither (a
// replicated service at 0 replicas has none, but is no error).
func serviceUnits(env *envfile.Environment, name string) []string {
	if svc := env.Service(name); svc != nil {
		return []string{unitOf(svc)}
	}
	if env.DeclaredService(name) == nil {
		return nil
	}
	units := []string{}
	for _, m := range env.Members(name) {
		units = append(units, unitOf(env.Service(m)))
	}
	return units
}

package lxc

import (
	"context"
	"fmt"
	"io"

	"github.com/devbox-dev/devbox/envfile"
)

// Logs writes a service's (a replica's: worker-2) journal, the last tail
// lines (all when tail <= 0), following it until ctx is done when follow
// is set.
func (b *Backend) Logs(ctx context.Context, env *envfile.Environment, service string, follow bool, tail int, w io.Writer) error {
	svc := env.Service(service)
	if svc == nil {
		return fmt.Errorf("lxc: logs: %w", env.NotAService(service))
	}
	cmd := []string{"journalctl", "-u", unitOf(svc), "--no-pager", "-o", "short-iso", "-q"}
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

package docker

import (
	"context"
	"fmt"
	"io"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

var _ engine.Execer = (*Backend)(nil)

// Exec runs cmd in a service's container, as the service's user and in its
// workdir, and returns the command's exit code.
func (b *Backend) Exec(ctx context.Context, env *envfile.Environment, service string, cmd []string, stdio engine.Stdio) (int, error) {
	if env.Service(service) == nil {
		return -1, fmt.Errorf("docker: exec: no service %q in the environment", service)
	}
	name := ContainerName(env.Project, service)
	c, err := b.cli.ContainerInspect(ctx, name)
	if notFound(err) {
		return -1, fmt.Errorf("docker: exec: service %q has no container (run devbox up)", service)
	} else if err != nil {
		return -1, fmt.Errorf("docker: exec in %q: %w", name, err)
	}
	if c.State == nil || !c.State.Running {
		return -1, fmt.Errorf("docker: exec: service %q is not running (run devbox up)", service)
	}
	out, errw := stdio.Out, stdio.Err
	if out == nil {
		out = io.Discard
	}
	if errw == nil {
		errw = out
	}
	ex, err := b.cli.ContainerExecCreate(ctx, c.ID, container.ExecOptions{
		Cmd:          cmd,
		Tty:          stdio.TTY,
		AttachStdin:  stdio.In != nil,
		AttachStdout: true,
		AttachStderr: true,
	})
	if err != nil {
		return -1, fmt.Errorf("docker: exec in %q: %w", name, err)
	}
	resp, err := b.cli.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{Tty: stdio.TTY})
	if err != nil {
		return -1, fmt.Errorf("docker: exec in %q: attach: %w", name, err)
	}
	defer resp.Close()
	if stdio.In != nil {
		go func() {
			_, _ = io.Copy(resp.Conn, stdio.In)
			_ = resp.CloseWrite()
		}()
	}
	done := make(chan error, 1)
	go func() {
		var err error
		if stdio.TTY {
			_, err = io.Copy(out, resp.Reader)
		} else {
			_, err = stdcopy.StdCopy(out, errw, resp.Reader)
		}
		done <- err
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		return -1, ctx.Err()
	}
	if err != nil {
		return -1, fmt.Errorf("docker: exec in %q: %w", name, err)
	}
	ins, err := b.cli.ContainerExecInspect(ctx, ex.ID)
	if err != nil {
		return -1, fmt.Errorf("docker: exec in %q: inspect: %w", name, err)
	}
	return ins.ExitCode, nil
}

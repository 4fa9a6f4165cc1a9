package docker

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

var _ engine.Execer = (*Backend)(nil)

// Exec runs cmd in a service's container, as the service's user and in its
// workdir, and returns the command's exit code.
func (b *Backend) Exec(ctx context.Context, env *envfile.Environment, service string, cmd []string, stdio engine.Stdio) (int, error) {
	if env.Service(service) == nil {
		return -1, noService(env, "exec", service)
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
	// The container's own user, workdir and env apply, as docker exec does.
	return b.execRaw(ctx, c.ID, container.ExecOptions{Cmd: cmd, Tty: stdio.TTY}, stdio, nil)
}

// noService is the error for a name that is no service of env (the
// backends take a replica's name, not its service's declared one).
func noService(env *envfile.Environment, verb, name string) error {
	return fmt.Errorf("docker: %s: %w", verb, env.NotAService(name))
}

package docker

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/devbox-dev/devbox/envfile"
)

// Logs writes one service's output to w, raw (the caller prefixes lines
// when it multiplexes services); tail < 0 means all, follow streams until
// ctx is done or the container stops.
func (b *Backend) Logs(ctx context.Context, env *envfile.Environment, service string, follow bool, tail int, w io.Writer) error {
	if env.Service(service) == nil {
		return noService(env, "logs", service)
	}
	name := ContainerName(env.Project, service)
	if err := b.copyLogs(ctx, name, follow, tail, w); err != nil {
		if notFound(err) {
			return fmt.Errorf("docker: logs: service %q has no container (run devbox up)", service)
		}
		return fmt.Errorf("docker: logs of %q: %w", name, err)
	}
	return nil
}

func (b *Backend) copyLogs(ctx context.Context, id string, follow bool, tail int, w io.Writer) error {
	c, err := b.cli.ContainerInspect(ctx, id)
	if err != nil {
		return err
	}
	opts := container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: follow}
	if tail >= 0 {
		opts.Tail = strconv.Itoa(tail)
	}
	rc, err := b.cli.ContainerLogs(ctx, id, opts)
	if err != nil {
		return err
	}
	defer rc.Close()
	if c.Config != nil && c.Config.Tty {
		_, err = io.Copy(w, rc)
	} else {
		_, err = stdcopy.StdCopy(w, w, rc)
	}
	if err != nil && ctx.Err() != nil {
		return nil // follow ended by the caller
	}
	return err
}

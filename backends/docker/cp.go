package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

var _ engine.Copier = (*Backend)(nil)

// CopyTo copies hostPath into the service's container at containerPath, as
// a tar stream the daemon unpacks (running or stopped container, as
// docker cp); what it makes is owned by the container's root.
func (b *Backend) CopyTo(ctx context.Context, env *envfile.Environment, service, hostPath, containerPath string) error {
	id, err := b.copyContainer(ctx, env, service)
	if err != nil {
		return err
	}
	src, fi, dst, err := engine.CopySource(hostPath, containerPath)
	if err != nil {
		return fmt.Errorf("docker: cp %q: %w", service, err)
	}
	st, err := b.cli.ContainerStatPath(ctx, id, path.Clean(dst))
	exists := err == nil
	if err != nil && !notFound(err) {
		return fmt.Errorf("docker: cp %q: stat %s: %w", service, dst, err)
	}
	parent, name, err := engine.CopyDest(filepath.Base(src), dst, exists, exists && st.Mode.IsDir(), fi.IsDir())
	if err != nil {
		return fmt.Errorf("docker: cp %q: %w", service, err)
	}
	if !exists {
		if pst, err := b.cli.ContainerStatPath(ctx, id, parent); err != nil || !pst.Mode.IsDir() {
			return fmt.Errorf("docker: cp %q: the directory %s does not exist in the service", service, parent)
		}
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(engine.WriteTar(pw, src, name)) }()
	err = b.cli.CopyToContainer(ctx, id, parent, pr, container.CopyToContainerOptions{})
	pr.CloseWithError(errors.New("copy ended"))
	if err != nil {
		return fmt.Errorf("docker: cp %q: to %s: %w", service, dst, err)
	}
	return nil
}

// CopyFrom copies containerPath out of the service's container to
// hostPath; what it makes is owned by the calling user.
func (b *Backend) CopyFrom(ctx context.Context, env *envfile.Environment, service, containerPath, hostPath string) error {
	id, err := b.copyContainer(ctx, env, service)
	if err != nil {
		return err
	}
	src := engine.ContainerPath(containerPath)
	if src == "/" {
		return fmt.Errorf("docker: cp %q: copying the whole root directory out is not supported; name a directory under it", service)
	}
	rc, st, err := b.cli.CopyFromContainer(ctx, id, src)
	if notFound(err) {
		return fmt.Errorf("docker: cp %q: %s: no such file or directory in the service", service, src)
	} else if err != nil {
		return fmt.Errorf("docker: cp %q: from %s: %w", service, src, err)
	}
	defer rc.Close()
	parent, name, err := engine.HostDest(st.Name, hostPath, st.Mode.IsDir())
	if err != nil {
		return fmt.Errorf("docker: cp %q: %w", service, err)
	}
	if err := engine.ExtractTar(rc, parent, st.Name, name); err != nil {
		return fmt.Errorf("docker: cp %q: from %s to %s: %w", service, src, hostPath, err)
	}
	return nil
}

// copyContainer is the ID of service's container, running or not.
func (b *Backend) copyContainer(ctx context.Context, env *envfile.Environment, service string) (string, error) {
	if env.Service(service) == nil {
		return "", fmt.Errorf("docker: cp: no service %q in the environment", service)
	}
	c, err := b.cli.ContainerInspect(ctx, ContainerName(env.Project, service))
	if notFound(err) {
		return "", fmt.Errorf("docker: cp %q: the service has no container (run devbox up)", service)
	} else if err != nil {
		return "", fmt.Errorf("docker: cp %q: %w", service, err)
	}
	return c.ID, nil
}

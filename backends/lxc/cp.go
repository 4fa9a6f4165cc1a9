package lxc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

var _ engine.Copier = (*Backend)(nil)

// statScript prints what its argument is: dir, file (a symbolic link is
// a file: it is copied as a link, not followed) or none.
const statScript = `if [ -L "$1" ]; then echo file; elif [ -d "$1" ]; then echo dir; elif [ -e "$1" ]; then echo file; else echo none; fi`

// CopyTo copies hostPath into the project's instance (every service's
// filesystem) at containerPath: a tar stream into tar -x on an exec's
// stdin, which keeps modes and makes root the owner.
func (b *Backend) CopyTo(ctx context.Context, env *envfile.Environment, service, hostPath, containerPath string) error {
	inst, err := b.copyInstance(env, service)
	if err != nil {
		return err
	}
	src, fi, dst, err := engine.CopySource(hostPath, containerPath)
	if err != nil {
		return fmt.Errorf("lxc: cp %q: %w", service, err)
	}
	kind, err := b.statPath(ctx, inst, path.Clean(dst))
	if err != nil {
		return fmt.Errorf("lxc: cp %q: %w", service, err)
	}
	parent, name, err := engine.CopyDest(filepath.Base(src), dst, kind != "none", kind == "dir", fi.IsDir())
	if err != nil {
		return fmt.Errorf("lxc: cp %q: %w", service, err)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(engine.WriteTar(pw, src, name)) }()
	defer pr.Close()
	script := `[ -d "$1" ] || { echo "the directory $1 does not exist in the service" >&2; exit 3; }; exec tar -xpf - -C "$1"`
	var errb bytes.Buffer
	code, err := b.run(ctx, inst, execReq{Cmd: []string{"/bin/sh", "-c", script, "sh", parent}, Stdin: pr, Stderr: &errb})
	if err == nil && code != 0 {
		err = errors.New(lastLines(strings.TrimSpace(errb.String()), 5))
	}
	if err != nil {
		return fmt.Errorf("lxc: cp %q: to %s: %w", service, dst, err)
	}
	return nil
}

// CopyFrom copies containerPath out of the project's instance to
// hostPath: tar -c on an exec's stdout, unpacked safely on the host as
// the calling user.
func (b *Backend) CopyFrom(ctx context.Context, env *envfile.Environment, service, containerPath, hostPath string) error {
	inst, err := b.copyInstance(env, service)
	if err != nil {
		return err
	}
	src := engine.ContainerPath(containerPath)
	if src == "/" {
		return fmt.Errorf("lxc: cp %q: copying the whole root directory out is not supported; name a directory under it", service)
	}
	kind, err := b.statPath(ctx, inst, src)
	if err != nil {
		return fmt.Errorf("lxc: cp %q: %w", service, err)
	}
	if kind == "none" {
		return fmt.Errorf("lxc: cp %q: %s: no such file or directory in the service", service, src)
	}
	base := path.Base(src)
	parent, name, err := engine.HostDest(base, hostPath, kind == "dir")
	if err != nil {
		return fmt.Errorf("lxc: cp %q: %w", service, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := b.run(ctx, inst, execReq{Cmd: []string{"tar", "-cf", "-", "-C", path.Dir(src), "./" + base}, Stdout: pw, Stderr: &errb})
		pw.Close()
		done <- result{code, err}
	}()
	xerr := engine.ExtractTar(pr, parent, base, name)
	if xerr != nil {
		pr.CloseWithError(xerr) // the exec's writes fail; it ends
		cancel()
	} else {
		// tar pads the archive past its end marker: read it all, or the
		// exec blocks writing the padding.
		_, _ = io.Copy(io.Discard, pr)
	}
	res := <-done
	switch {
	case xerr != nil:
		return fmt.Errorf("lxc: cp %q: from %s to %s: %w", service, src, hostPath, xerr)
	case res.err != nil:
		return fmt.Errorf("lxc: cp %q: from %s: %w", service, src, res.err)
	case res.code != 0:
		return fmt.Errorf("lxc: cp %q: from %s: tar exited %d: %s", service, src, res.code, lastLines(strings.TrimSpace(errb.String()), 5))
	}
	return nil
}

// copyInstance is the running instance holding service.
func (b *Backend) copyInstance(env *envfile.Environment, service string) (string, error) {
	if env.Service(service) == nil {
		return "", fmt.Errorf("lxc: cp: %w", env.NotAService(service))
	}
	name := InstanceName(env.Project)
	inst, _, err := b.c.GetInstance(name)
	if err != nil {
		if api.StatusErrorCheck(err, 404) {
			return "", fmt.Errorf("lxc: cp %q: the project has no instance (run devbox up)", service)
		}
		return "", fmt.Errorf("lxc: cp %q: %w", service, err)
	}
	if inst.StatusCode != api.Running {
		return "", fmt.Errorf("lxc: cp %q: the instance %s is stopped; start it with devbox up", service, name)
	}
	return name, nil
}

// statPath says whether p is a dir, a file or none in the instance.
func (b *Backend) statPath(ctx context.Context, inst, p string) (string, error) {
	out, err := b.output(ctx, inst, "/bin/sh", "-c", statScript, "sh", p)
	if err != nil {
		return "", fmt.Errorf("stat %s: %w", p, err)
	}
	return strings.TrimSpace(out), nil
}

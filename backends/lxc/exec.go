package lxc

import (
	"context"
	"fmt"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Exec runs cmd as service runs: its user, env (with discovery variables)
// and working directory. The command's exit code is returned.
func (b *Backend) Exec(ctx context.Context, env *envfile.Environment, service string, cmd []string, io engine.Stdio) (int, error) {
	svc := env.Service(service)
	if svc == nil {
		return -1, fmt.Errorf("lxc: no service %q in the file", service)
	}
	if len(cmd) == 0 {
		cmd = []string{"/bin/sh"}
	}
	req, err := b.serviceExec(ctx, env, svc, cmd)
	if err != nil {
		return -1, err
	}
	req.Stdin, req.Stdout, req.Stderr, req.TTY = io.In, io.Out, io.Err, io.TTY
	req.Signals, req.Size = io.Signals, io.Size
	if req.TTY {
		req.Env["TERM"] = "xterm-256color"
	}
	return b.run(ctx, InstanceName(env.Project), req)
}

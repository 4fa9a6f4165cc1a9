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
	svc, err := execService(env, service)
	if err != nil {
		return -1, err
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

// execService is the service (or replica: worker-2) a command for name
// runs in.
func execService(env *envfile.Environment, name string) (*envfile.Service, error) {
	if svc := env.Service(name); svc != nil {
		return svc, nil
	}
	return nil, fmt.Errorf("lxc: exec: %w", env.NotAService(name))
}

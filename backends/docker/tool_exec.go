package docker

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"syscall"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/tools"
)

// wrap prefixes cmd with a small sh script when the program needs help
// the API cannot give: the 32-bit personality (linux32, so uname -m says
// i686 as on an lxc i686 instance) and, before API 1.42 (no ConsoleSize),
// the TTY's size set before the program starts rather than just after.
func (b *Backend) wrap(t *envfile.Tool, cmd []string, tty bool, size func() (int, int)) []string {
	script := ""
	if tty && size != nil && versions.LessThan(b.cli.ClientVersion(), "1.42") {
		if w, h := size(); w > 0 && h > 0 {
			script += fmt.Sprintf("stty rows %d cols %d 2>/dev/null; ", h, w)
		}
	}
	if t.Platform == "linux/386" || t.Platform == "linux/arm/v7" {
		script += `command -v linux32 >/dev/null 2>&1 && exec linux32 "$@"; `
	}
	if script == "" {
		return cmd
	}
	return append([]string{"/bin/sh", "-c", script + `exec "$@"`, "sh"}, cmd...)
}

// toolExec runs the tool's command in the container as the user.
func (b *Backend) toolExec(ctx context.Context, id string, t *envfile.Tool, args []string, opts engine.ToolOptions, stdio engine.Stdio) (int, error) {
	cmd := b.wrap(t, append(append([]string{}, t.Command...), args...), stdio.TTY, stdio.Size)
	runID := tools.NewRunID()
	env := map[string]string{tools.RunIDVar: runID}
	for k, v := range opts.Env {
		env[k] = v
	}
	eo := container.ExecOptions{
		Cmd:        cmd,
		User:       fmt.Sprintf("%d:%d", opts.UID, opts.GID),
		WorkingDir: opts.Workdir,
		Env:        tools.List(env),
		Tty:        stdio.TTY,
	}
	if stdio.TTY && stdio.Size != nil {
		if w, h := stdio.Size(); w > 0 && h > 0 {
			eo.ConsoleSize = &[2]uint{uint(h), uint(w)}
		}
	}
	// Cancelled: kill the program and everything it started (as the user:
	// root has no CAP_SYS_PTRACE to read others' environ).
	kill := func() {
		cctx, cancel := cleanupCtx(ctx)
		defer cancel()
		_, _ = b.execRaw(cctx, id, container.ExecOptions{User: eo.User, Cmd: []string{"/bin/sh", "-c", tools.KillScript, "sh", runID, "9"}}, engine.Stdio{}, nil)
	}
	return b.execRaw(ctx, id, eo, stdio, kill)
}

// execRaw runs an exec with stdio attached and returns its exit code.
// With opts, signals are forwarded and SIGWINCH resizes the TTY; a
// cancelled ctx calls kill (else SIGKILLs the exec's process).
func (b *Backend) execRaw(ctx context.Context, id string, eo container.ExecOptions, stdio engine.Stdio, kill func()) (int, error) {
	out, errw := stdio.Out, stdio.Err
	if out == nil {
		out = io.Discard
	}
	if errw == nil {
		errw = out
	}
	eo.AttachStdin, eo.AttachStdout, eo.AttachStderr = stdio.In != nil, true, true
	ex, err := b.cli.ContainerExecCreate(ctx, id, eo)
	if err != nil {
		return -1, fmt.Errorf("docker: exec: %w", err)
	}
	resp, err := b.cli.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{Tty: eo.Tty})
	if err != nil {
		return -1, fmt.Errorf("docker: exec: attach: %w", err)
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
		if eo.Tty {
			_, err = io.Copy(out, resp.Reader)
		} else {
			_, err = stdcopy.StdCopy(out, errw, resp.Reader)
		}
		done <- err
	}()
	sigs := stdio.Signals
	if eo.Tty && stdio.Size != nil {
		b.resizeExec(ctx, ex.ID, stdio.Size) // API 1.41 has no ConsoleSize at create
	}
	for {
		select {
		case err = <-done:
			if err != nil {
				return -1, fmt.Errorf("docker: exec: %w", err)
			}
			cctx, cancel := cleanupCtx(ctx)
			defer cancel()
			ins, err := b.cli.ContainerExecInspect(cctx, ex.ID)
			if err != nil {
				return -1, fmt.Errorf("docker: exec: inspect: %w", err)
			}
			return ins.ExitCode, nil
		case sig := <-sigs:
			if sig == syscall.SIGWINCH {
				if eo.Tty && stdio.Size != nil {
					go b.resizeExec(ctx, ex.ID, stdio.Size)
				}
			} else if s, ok := sig.(syscall.Signal); ok {
				b.signalExec(ctx, id, ex.ID, s)
			}
		case <-ctx.Done():
			if kill != nil {
				kill()
			} else {
				b.signalExec(ctx, id, ex.ID, syscall.SIGKILL)
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
			}
			return -1, ctx.Err()
		}
	}
}

// resizeExec sets the exec's TTY size, retrying while it starts.
func (b *Backend) resizeExec(ctx context.Context, execID string, size func() (int, int)) {
	w, h := size()
	if w <= 0 || h <= 0 {
		return
	}
	for i := 0; i < 20; i++ {
		if b.cli.ContainerExecResize(ctx, execID, container.ResizeOptions{Width: uint(w), Height: uint(h)}) == nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// signalExec delivers sig to an exec's process. The daemon reports its
// host PID: signalled directly when devbox may (root, or the same user
// without user namespaces), else with kill run as root in the container on
// its PID there (from /proc/PID/status). Remote daemons are out of reach.
func (b *Backend) signalExec(ctx context.Context, id, execID string, sig syscall.Signal) {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	var pid int
	for i := 0; i < 50 && pid == 0; i++ {
		ins, err := b.cli.ContainerExecInspect(cctx, execID)
		if err != nil || (!ins.Running && ins.Pid == 0 && i > 5) {
			return
		}
		if pid = ins.Pid; pid == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if pid == 0 || syscall.Kill(pid, sig) == nil {
		return
	}
	nspid := tools.NSPid(pid)
	if nspid == 0 {
		return
	}
	_, _ = b.execRaw(cctx, id, container.ExecOptions{User: "0", Cmd: []string{"kill", "-" + strconv.Itoa(int(sig)), strconv.Itoa(nspid)}}, engine.Stdio{}, nil)
}

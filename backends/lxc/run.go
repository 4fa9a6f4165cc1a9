package lxc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
	incus "github.com/lxc/incus/v6/client"
	"github.com/lxc/incus/v6/shared/api"
)

// execReq is one command run in an instance.
type execReq struct {
	Cmd    []string
	Env    map[string]string
	UID    uint32
	GID    uint32
	Cwd    string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	TTY    bool
}

// run executes req in instance and returns its exit code. Cancelling ctx
// sends SIGTERM (then SIGKILL) to the command.
func (b *Backend) run(ctx context.Context, instance string, req execReq) (int, error) {
	env := map[string]string{"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
	for k, v := range req.Env {
		env[k] = v
	}
	post := api.InstanceExecPost{
		Command: req.Cmd, WaitForWS: true, Interactive: req.TTY, Environment: env,
		User: req.UID, Group: req.GID, Cwd: req.Cwd,
	}
	var (
		ctlMu sync.Mutex
		ctl   *websocket.Conn
	)
	if req.Stdout != nil && req.Stdout == req.Stderr {
		// Two mirrors write concurrently; most writers (bytes.Buffer) are
		// not safe for that.
		w := &syncWriter{w: req.Stdout}
		req.Stdout, req.Stderr = w, w
	}
	if req.Stdin == nil {
		// An explicit empty stdin: the command reads EOF.
		req.Stdin = strings.NewReader("")
	}
	done := make(chan bool)
	args := &incus.InstanceExecArgs{
		Stdin: req.Stdin, Stdout: req.Stdout, Stderr: req.Stderr, DataDone: done,
		Control: func(c *websocket.Conn) {
			ctlMu.Lock()
			ctl = c
			ctlMu.Unlock()
		},
	}
	if req.TTY && args.Stderr == nil {
		args.Stderr = args.Stdout
	}
	op, err := b.c.ExecInstance(instance, post, args)
	if err != nil {
		return -1, fmt.Errorf("lxc: exec %q in %q: %w", strings.Join(req.Cmd, " "), instance, err)
	}
	stop := context.AfterFunc(ctx, func() {
		ctlMu.Lock()
		defer ctlMu.Unlock()
		if ctl != nil {
			_ = ctl.WriteJSON(api.InstanceExecControl{Command: "signal", Signal: 15})
		}
	})
	defer stop()
	err = op.Wait()
	<-done
	if err != nil {
		return -1, fmt.Errorf("lxc: exec %q in %q: %w", strings.Join(req.Cmd, " "), instance, err)
	}
	code, ok := op.Get().Metadata["return"].(float64)
	if !ok {
		return -1, fmt.Errorf("lxc: exec %q in %q: no exit code", strings.Join(req.Cmd, " "), instance)
	}
	if ctx.Err() != nil {
		return int(code), ctx.Err()
	}
	return int(code), nil
}

// output runs cmd as root and returns its stdout; a non-zero exit is an
// error that carries stderr.
func (b *Backend) output(ctx context.Context, instance string, cmd ...string) (string, error) {
	var out, errb bytes.Buffer
	code, err := b.run(ctx, instance, execReq{Cmd: cmd, Stdout: &out, Stderr: &errb})
	if err != nil {
		return out.String(), err
	}
	if code != 0 {
		return out.String(), &exitErr{cmd: cmd, code: code, stderr: strings.TrimSpace(errb.String())}
	}
	return out.String(), nil
}

// sh runs a shell script as root, see output.
func (b *Backend) sh(ctx context.Context, instance, script string) (string, error) {
	return b.output(ctx, instance, "/bin/sh", "-c", script)
}

type exitErr struct {
	cmd    []string
	code   int
	stderr string
}

func (e *exitErr) Error() string {
	msg := fmt.Sprintf("%q exited %d", strings.Join(e.cmd, " "), e.code)
	if e.stderr != "" {
		msg += ": " + lastLines(e.stderr, 5)
	}
	return msg
}

func exitCode(err error) (int, bool) {
	var e *exitErr
	if errors.As(err, &e) {
		return e.code, true
	}
	return 0, false
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

package lxc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

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
	// Signals are forwarded to the command; SIGWINCH resizes its TTY to Size().
	Signals <-chan os.Signal
	Size    func() (cols, rows int)
	// Kill, when set, is how a cancelled command is ended (after SIGKILL
	// to it): it should end everything the command started. Without it a
	// cancelled command gets SIGTERM and is waited for.
	Kill func()
}

// run executes req in instance and returns its exit code. Signals and
// window size go over the exec's control socket; see execReq.Kill for
// what cancelling ctx does.
func (b *Backend) run(ctx context.Context, instance string, req execReq) (int, error) {
	env := map[string]string{"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
	for k, v := range req.Env {
		env[k] = v
	}
	post := api.InstanceExecPost{
		Command: req.Cmd, WaitForWS: true, Interactive: req.TTY, Environment: env,
		User: req.UID, Group: req.GID, Cwd: req.Cwd,
	}
	if req.TTY && req.Size != nil {
		post.Width, post.Height = req.Size()
	}
	var (
		ctlMu sync.Mutex
		ctl   *websocket.Conn
	)
	control := func(msg api.InstanceExecControl) {
		ctlMu.Lock()
		defer ctlMu.Unlock()
		if ctl != nil {
			_ = ctl.WriteJSON(msg)
		}
	}
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
	waited := make(chan error, 1)
	go func() { waited <- op.Wait() }()
	cancelled := ctx.Done()
	for {
		select {
		case err = <-waited:
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
		case sig := <-req.Signals:
			if sig == syscall.SIGWINCH {
				if req.TTY && req.Size != nil {
					w, h := req.Size()
					control(api.InstanceExecControl{Command: "window-resize", Args: map[string]string{"width": strconv.Itoa(w), "height": strconv.Itoa(h)}})
				}
			} else if s, ok := sig.(syscall.Signal); ok {
				control(api.InstanceExecControl{Command: "signal", Signal: int(s)})
			}
		case <-cancelled:
			cancelled = nil
			if req.Kill == nil {
				control(api.InstanceExecControl{Command: "signal", Signal: int(syscall.SIGTERM)})
				continue // and wait for it to exit
			}
			control(api.InstanceExecControl{Command: "signal", Signal: int(syscall.SIGKILL)})
			req.Kill()
			select {
			case <-waited:
			case <-time.After(5 * time.Second):
			}
			return -1, ctx.Err()
		}
	}
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

package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"

	"github.com/devbox-dev/devbox/discovery"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/tui"
)

// dashboard adapts an engine backend and the parsed file to tui.Source.
type dashboard struct {
	app *App
	b   engine.Backend
	env *envfile.Environment
}

// Snapshot reads every service's status, with CPU and memory (the
// dashboard is the view that shows them).
func (d *dashboard) Snapshot(ctx context.Context) (tui.Snapshot, error) {
	s := tui.Snapshot{Project: d.env.Project, Backend: d.b.Name(), Endpoint: endpoint(d.b)}
	st, ok := d.b.(engine.Statuser)
	if !ok {
		return s, fmt.Errorf("the %s backend cannot report status", d.b.Name())
	}
	rows, err := st.Status(ctx, d.env)
	if err != nil {
		s.Err = err
		return s, err
	}
	addUsage(ctx, d.b, d.env, rows)
	s.Services = rows
	s.State = envState(rows)
	return s, nil
}

// envState sums the rows up: all running, some, none, or nothing made yet.
func envState(rows []engine.ServiceStatus) string {
	running, missing := 0, 0
	for _, r := range rows {
		switch r.State {
		case engine.StateRunning, engine.StateStarting, engine.StateUnhealthy:
			running++
		case engine.StateMissing, "":
			missing++
		}
	}
	switch {
	case len(rows) == 0 || missing == len(rows):
		return tui.EnvAbsent
	case running == len(rows):
		return tui.EnvRunning
	case running == 0:
		return tui.EnvStopped
	default:
		return tui.EnvPartial
	}
}

func endpoint(b engine.Backend) string {
	e := b.Endpoint()
	if strings.HasPrefix(e, "unix://") || strings.HasPrefix(e, "/") {
		return "local"
	}
	return e
}

// Watch uses the engine's event stream when the backend has one.
func (d *dashboard) Watch(ctx context.Context) (<-chan struct{}, error) {
	if w, ok := d.b.(engine.Watcher); ok {
		return w.Watch(ctx, d.env.Project)
	}
	ch := make(chan struct{})
	go func() { <-ctx.Done(); close(ch) }()
	return ch, nil
}

// Logs returns the last tail lines.
func (d *dashboard) Logs(ctx context.Context, service string, tail int) ([]string, error) {
	lg, ok := d.b.(engine.Logger)
	if !ok {
		return nil, nil
	}
	var b strings.Builder
	if err := lg.Logs(ctx, d.env, service, false, tail, &b); err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimRight(b.String(), "\n"), "\n"), nil
}

// Follow streams the log through a pipe, line by line.
func (d *dashboard) Follow(ctx context.Context, service string, tail int) (<-chan string, error) {
	lg, ok := d.b.(engine.Logger)
	if !ok {
		return nil, fmt.Errorf("the %s backend cannot show logs", d.b.Name())
	}
	pr, pw := io.Pipe()
	out := make(chan string, 64)
	go func() {
		pw.CloseWithError(lg.Logs(ctx, d.env, service, true, tail, pw))
	}()
	go func() {
		defer close(out)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case out <- sc.Text():
			case <-ctx.Done():
				pr.Close()
				return
			}
		}
	}()
	return out, nil
}

// Detail is built from the file: env with discovery variables, mounts, volumes.
func (d *dashboard) Detail(ctx context.Context, service string) (tui.Detail, error) {
	s := d.env.Service(service)
	if s == nil {
		return tui.Detail{}, fmt.Errorf("no service %q", service)
	}
	det := tui.Detail{Image: d.env.Image, Env: discovery.Merge(discovery.Vars(d.env, service, func(n string) string { return n }), s.Env)}
	if s.Docker.Image != "" && d.b.Name() == "docker" {
		det.Image = s.Docker.Image
	}
	for _, m := range s.Mounts {
		if mt := d.env.Mount(m); mt != nil {
			mode := "rw"
			if mt.ReadOnly {
				mode = "ro"
			}
			det.Mounts = append(det.Mounts, fmt.Sprintf("%s -> %s (%s)", mt.Source, mt.Target, mode))
		}
	}
	for v, target := range s.Volumes {
		det.Volumes = append(det.Volumes, v+" -> "+target)
	}
	sort.Strings(det.Volumes)
	return det, nil
}

// Restart stops and starts the service, under the project lock like up.
func (d *dashboard) Restart(ctx context.Context, service string) error {
	return d.locked(ctx, service, func(r engine.Resource) error {
		if engine.Running(r.State) {
			if err := d.b.Stop(ctx, d.env, r, engine.Discard); err != nil {
				return err
			}
		}
		return d.b.Start(ctx, d.env, r, engine.Discard)
	})
}

// StopStart toggles the service, under the project lock.
func (d *dashboard) StopStart(ctx context.Context, service string) error {
	return d.locked(ctx, service, func(r engine.Resource) error {
		if engine.Running(r.State) {
			return d.b.Stop(ctx, d.env, r, engine.Discard)
		}
		return d.b.Start(ctx, d.env, r, engine.Discard)
	})
}

// locked observes the service under the project lock and runs f on it, so
// a dashboard action never interleaves with an up or destroy elsewhere.
func (d *dashboard) locked(ctx context.Context, service string, f func(engine.Resource) error) error {
	unlock, err := engine.Lock(ctx, engine.LockDir(d.app.Getenv), d.b.Name(), d.env.Project, nil)
	if err != nil {
		return err
	}
	defer unlock()
	r, err := d.service(ctx, service)
	if err != nil {
		return err
	}
	return f(r)
}

func (d *dashboard) service(ctx context.Context, name string) (engine.Resource, error) {
	obs, err := d.b.Observe(ctx, d.env.Project)
	if err != nil {
		return engine.Resource{}, err
	}
	for _, r := range obs {
		if r.Kind == engine.KindService && r.Name == name {
			return r, nil
		}
	}
	return engine.Resource{}, fmt.Errorf("service %q does not exist yet; press u to bring the environment up", name)
}

// Up applies devbox up with progress.
func (d *dashboard) Up(ctx context.Context, progress engine.Progress) error {
	_, err := applyUp(ctx, d.app, d.b, d.env, progress, upHooks{})
	return err
}

// ShellCommand reruns devbox itself with the flags this dashboard was
// opened with (file, backend, project, remote, variables, allowed mounts),
// so the shell reaches the same environment.
func (d *dashboard) ShellCommand(service string) *exec.Cmd {
	self, err := os.Executable()
	if err != nil {
		return nil
	}
	return exec.Command(self, d.shellArgs(service)...)
}

func (d *dashboard) shellArgs(service string) []string {
	args := []string{"-f", d.env.File, "--backend", d.b.Name(), "-p", d.env.Project}
	if d.app.remote != "" {
		args = append(args, "--remote", d.app.remote)
	}
	for _, v := range d.app.vars {
		args = append(args, "--var", v)
	}
	for _, m := range d.app.allowMounts {
		args = append(args, "--allow-mount", m)
	}
	return append(args, "shell", service)
}

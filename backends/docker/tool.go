package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/images"
	"github.com/devbox-dev/devbox/tools"
)

// Labels of warm tool containers, besides project, kind (tool), name and hash.
const (
	LabelToolDirs = "dev.devbox.tool.dirs" // JSON list of the host directories mounted
	LabelToolUID  = "dev.devbox.tool.uid"  // the user it was set up for
)

var _ engine.ToolRunner = (*Backend)(nil)

// RunTool runs a tool's command with args in its warm container, creating
// it first when there is none (image + platform + packages + provision,
// built with the services' step cache), or when the tool changed or the
// working directory is not mounted yet. The program runs as opts.UID:GID
// in opts.Workdir, mounted at the same path; the container runs `sleep
// infinity` and every call is an exec, so the second call is fast.
func (b *Backend) RunTool(ctx context.Context, env *envfile.Environment, name string, args []string, opts engine.ToolOptions, stdio engine.Stdio) (int, error) {
	t := env.Tool(name)
	if t == nil {
		return -1, fmt.Errorf("docker: no tool %q in %s", name, env.File)
	}
	if err := tools.CheckWorkdir(opts.Workdir); err != nil {
		return -1, fmt.Errorf("docker: tool %q: %w", name, err)
	}
	if opts.Progress == nil {
		opts.Progress = engine.Discard
	}
	id, err := b.toolContainer(ctx, env, t, opts)
	if err != nil {
		return -1, err
	}
	return b.toolExec(ctx, id, t, args, opts, stdio)
}

// toolContainer returns the ID of a running container for the tool that
// has opts.Workdir mounted, making one when needed.
func (b *Backend) toolContainer(ctx context.Context, env *envfile.Environment, t *envfile.Tool, opts engine.ToolOptions) (string, error) {
	ev := engine.Ref{Kind: tools.Kind, Name: t.Name}
	base, err := b.toolBase(ctx, t, ev, opts.Progress)
	if err != nil {
		return "", err
	}
	hash := tools.Hash(t, base.ID)
	name := tools.Name(env.Project, t.Name, opts.UID)
	if id, _, _, err := b.warmTool(ctx, name, hash, opts.Workdir); id != "" || err != nil {
		return id, err
	}
	// Cold: one devbox run at a time makes the container, the others wait
	// and then find it warm.
	unlock, err := engine.Lock(ctx, engine.LockDir(os.Getenv), "docker-tool", name, func() {
		opts.Progress(engine.Event{Ref: ev, Status: "waiting for another devbox run to set up " + name})
	})
	if err != nil {
		return "", err
	}
	defer unlock()
	id, dirs, old, err := b.warmTool(ctx, name, hash, opts.Workdir)
	if id != "" || err != nil {
		return id, err
	}
	if old != "" {
		opts.Progress(engine.Event{Ref: ev, Status: "replacing " + name})
		b.discard(ctx, old)
	}
	return b.createTool(ctx, env, t, base, hash, tools.AddDir(dirs, opts.Workdir), opts)
}

// warmTool returns the running container name when it has hash and dir
// mounted (starting it when stopped); otherwise the directories an
// existing container had and its ID, to replace it.
func (b *Backend) warmTool(ctx context.Context, name, hash, dir string) (id string, dirs []string, old string, err error) {
	c, err := b.cli.ContainerInspect(ctx, name)
	if notFound(err) {
		return "", nil, "", nil
	} else if err != nil {
		return "", nil, "", fmt.Errorf("docker: inspect tool container %s: %w", name, err)
	}
	_ = json.Unmarshal([]byte(c.Config.Labels[LabelToolDirs]), &dirs)
	if c.Config.Labels[LabelHash] == hash && tools.Covered(dirs, dir) {
		if c.State != nil && c.State.Running {
			return c.ID, dirs, c.ID, nil // warm
		}
		if err := b.cli.ContainerStart(ctx, c.ID, container.StartOptions{}); err == nil {
			return c.ID, dirs, c.ID, nil // stopped, e.g. by a daemon restart
		}
	}
	return "", dirs, c.ID, nil
}

// toolBase finds the tool's base image for its platform: a local image of
// the right architecture, else a pull of that platform.
func (b *Backend) toolBase(ctx context.Context, t *envfile.Tool, ev engine.Ref, p engine.Progress) (image.InspectResponse, error) {
	cands := tools.DockerCandidates(t.Image, t.Platform)
	if t.Platform == "" {
		return b.ensureImage(ctx, cands[0], ev, p)
	}
	arch, _ := tools.ArchOf(t.Platform)
	fits := func(img image.InspectResponse) bool {
		return img.Architecture == arch.Docker && (arch.Variant == "" || img.Variant == arch.Variant)
	}
	for _, c := range cands {
		img, err := b.cli.ImageInspect(ctx, c)
		if err == nil && fits(img) {
			return img, nil
		}
		if err != nil && !notFound(err) {
			return img, fmt.Errorf("docker: inspect image %q: %w", c, err)
		}
	}
	ref := images.Docker(t.Image)
	p(engine.Event{Ref: ev, Status: "pulling " + ref + " for " + t.Platform})
	err := b.pullPlatform(ctx, ref, t.Platform)
	if err == nil {
		img, ierr := b.cli.ImageInspect(ctx, ref)
		if ierr == nil && fits(img) {
			return img, nil
		}
		err = fmt.Errorf("pulled %s is %s/%s", ref, img.Os, img.Architecture)
	}
	return image.InspectResponse{}, tools.NoImageError("docker", t.Image, t.Platform, cands, err)
}

// pullPlatform pulls ref for platform and reports the daemon's error.
func (b *Backend) pullPlatform(ctx context.Context, ref, platform string) error {
	rc, err := b.cli.ImagePull(ctx, ref, image.PullOptions{Platform: platform})
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	for {
		var m struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		} else if m.Error != "" {
			return errors.New(m.Error)
		}
	}
}

// createTool builds the tool's image, creates and starts its container
// with dirs bind-mounted at their own paths, and sets the user up.
func (b *Backend) createTool(ctx context.Context, env *envfile.Environment, t *envfile.Tool, base image.InspectResponse, hash string, dirs []string, opts engine.ToolOptions) (string, error) {
	ev := engine.Ref{Kind: tools.Kind, Name: t.Name}
	img := base.ID
	if s := tools.Service(t); needsBuild(s) {
		var err error
		if img, err = b.buildImage(ctx, s, base, env.Proxy, ev, opts.Progress); err != nil {
			return "", fmt.Errorf("docker: tool %q: %w", t.Name, err)
		}
	}
	name := tools.Name(env.Project, t.Name, opts.UID)
	dirsJSON, _ := json.Marshal(dirs)
	labels := b.labels(env.Project, tools.Kind, t.Name, hash)
	labels[LabelToolDirs] = string(dirsJSON)
	labels[LabelToolUID] = strconv.Itoa(opts.UID)
	init := true
	hc := &container.HostConfig{
		Init: &init,
		// The host's network: the tool reaches what a host program would
		// (the environment's forwarded ports on 127.0.0.1 included).
		NetworkMode:   "host",
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyDisabled},
	}
	for _, d := range dirs {
		hc.Mounts = append(hc.Mounts, mount.Mount{Type: mount.TypeBind, Source: d, Target: d})
	}
	cfg := &container.Config{
		Image:      img,
		Entrypoint: []string{"sleep"},
		Cmd:        []string{"infinity"},
		User:       "0",
		Labels:     labels,
	}
	opts.Progress(engine.Event{Ref: ev, Status: "creating container " + name})
	created, err := b.cli.ContainerCreate(ctx, cfg, hc, nil, nil, name)
	if err != nil {
		return "", fmt.Errorf("docker: tool %q: create container %s: %w", t.Name, name, err)
	}
	if err := b.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		b.discard(ctx, created.ID)
		return "", fmt.Errorf("docker: tool %q: start container %s: %w", t.Name, name, err)
	}
	// Best effort: an image without a shell still runs its program.
	var out bytes.Buffer
	setup := []string{"/bin/sh", "-c", tools.UserSetup, "sh", strconv.Itoa(opts.UID), strconv.Itoa(opts.GID)}
	if _, err := b.execRaw(ctx, created.ID, container.ExecOptions{Cmd: setup, User: "0"}, engine.Stdio{Out: &out, Err: &out}, nil); err != nil {
		opts.Progress(engine.Event{Ref: ev, Status: "user setup failed: " + err.Error()})
	}
	return created.ID, nil
}

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

// RemoveTools removes the project's warm tool containers (all of them, or
// those of the named tools) and returns the names removed.
func (b *Backend) RemoveTools(ctx context.Context, project string, names []string) ([]string, error) {
	f := projectFilter(project, tools.Kind)
	for _, n := range names {
		f.Add("label", LabelName+"="+n)
	}
	if len(names) > 1 { // label filters AND; list all, pick below
		f = projectFilter(project, tools.Kind)
	}
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, fmt.Errorf("docker: list tool containers: %w", err)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var gone []string
	for _, c := range cs {
		if len(names) > 0 && !want[c.Labels[LabelName]] {
			continue
		}
		if err := b.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil && !notFound(err) {
			return gone, fmt.Errorf("docker: remove tool container %s: %w", c.Names, err)
		}
		if len(c.Names) > 0 {
			gone = append(gone, c.Names[0][1:])
		}
	}
	return gone, nil
}

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
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/mount"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/images"
	"github.com/devbox-dev/devbox/tools"
)

// Labels of warm tool containers, besides project, kind (tool), name and hash.
const (
	LabelToolDir = "dev.devbox.tool.dir" // the one host directory mounted
	LabelToolUID = "dev.devbox.tool.uid" // the user it was set up for
)

// maxToolSlots bounds the containers of one tool and user: one per
// directory a run is using at the same moment.
const maxToolSlots = 8

var _ engine.ToolRunner = (*Backend)(nil)

// RunTool runs a tool's command with args in its warm container, creating
// it first when there is none (image + platform + packages + provision,
// built with the services' step cache), or when the tool changed or it
// has another directory mounted. The program runs as opts.UID:GID in
// opts.Workdir, mounted at the same path; the container runs `sleep
// infinity` and every call is an exec, so the second call is fast.
//
// A tool container has one host directory mounted, the one of the runs
// using it (mounts cannot change on a running container): a run elsewhere
// replaces it once no run uses it, else gets a container of its own
// (name-2, name-3, ...). Each run holds its container's lock on its
// directory shared (tools.HoldDir) until it ends, and a container is only
// removed by whoever gets that lock exclusively, so none is removed under
// a running program.
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
	id, held, err := b.toolContainer(ctx, env, t, opts)
	if err != nil {
		return -1, err
	}
	defer held.Release()
	return b.toolExec(ctx, id, t, args, opts, stdio)
}

// toolContainer returns the ID of a running container for the tool that
// has opts.Workdir mounted, making one when needed, and the lock that
// keeps it there for the run.
func (b *Backend) toolContainer(ctx context.Context, env *envfile.Environment, t *envfile.Tool, opts engine.ToolOptions) (string, *tools.DirLock, error) {
	ev := engine.Ref{Kind: tools.Kind, Name: t.Name}
	base, err := b.toolBase(ctx, t, ev, opts.Progress)
	if err != nil {
		return "", nil, err
	}
	hash := tools.Hash(t, base.ID)
	name := tools.Name(env.Project, t.Name, opts.UID)
	lockDir := engine.LockDir(os.Getenv)
	// The first container's lock is taken before looking: usually (one
	// directory at a time) that one is warm, and what was seen stays so.
	held, err := tools.HoldDir(ctx, lockDir, "docker-"+name, opts.Workdir)
	if err != nil {
		return "", nil, fmt.Errorf("docker: tool %q: %w", t.Name, err)
	}
	cs, err := b.toolContainers(ctx, env.Project, t.Name, opts.UID)
	if err != nil {
		held.Release()
		return "", nil, err
	}
	if c := warmTool(cs, hash, opts.Workdir); c != nil && slotName(*c) == name {
		if len(cs) > 1 {
			// Left by runs that overlapped: remove what is idle now.
			b.removeIdleTools(ctx, cs, c.ID)
		}
		return c.ID, held, b.startTool(ctx, *c)
	}
	held.Release()
	if c := warmTool(cs, hash, opts.Workdir); c != nil {
		if l := b.claimTool(ctx, lockDir, *c, opts.Workdir); l != nil {
			return c.ID, l, nil
		}
	}
	// Cold: one devbox run at a time makes a container, the others wait
	// and then find it warm.
	unlock, err := engine.Lock(ctx, lockDir, "docker-tool", name, func() {
		opts.Progress(engine.Event{Ref: ev, Status: "waiting for another devbox run to set up " + name})
	})
	if err != nil {
		return "", nil, err
	}
	defer unlock()
	if cs, err = b.toolContainers(ctx, env.Project, t.Name, opts.UID); err != nil {
		return "", nil, err
	}
	if c := warmTool(cs, hash, opts.Workdir); c != nil {
		if l := b.claimTool(ctx, lockDir, *c, opts.Workdir); l != nil {
			return c.ID, l, nil
		}
	}
	slot := freeSlot(name, b.removeIdleTools(ctx, cs, ""))
	if slot == "" {
		return "", nil, fmt.Errorf("docker: tool %q: runs in %d other directories are using its containers; run it again when one ends", t.Name, maxToolSlots)
	}
	if held, err = tools.HoldDir(ctx, lockDir, "docker-"+slot, opts.Workdir); err != nil {
		return "", nil, fmt.Errorf("docker: tool %q: %w", t.Name, err)
	}
	id, err := b.createTool(ctx, env, t, base, hash, slot, opts)
	if err != nil {
		held.Release()
		return "", nil, err
	}
	return id, held, nil
}

// toolContainers lists the containers of one tool and user.
func (b *Backend) toolContainers(ctx context.Context, project, tool string, uid int) ([]container.Summary, error) {
	f := projectFilter(project, tools.Kind)
	f.Add("label", LabelName+"="+tool)
	f.Add("label", LabelToolUID+"="+strconv.Itoa(uid))
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, fmt.Errorf("docker: list tool containers of %q: %w", tool, err)
	}
	return cs, nil
}

// warmTool picks the container with hash and dir mounted, if any.
func warmTool(cs []container.Summary, hash, dir string) *container.Summary {
	for i, c := range cs {
		if c.Labels[LabelHash] == hash && c.Labels[LabelToolDir] == dir {
			return &cs[i]
		}
	}
	return nil
}

// startTool starts a stopped tool container (stopped by a daemon restart,
// say).
func (b *Backend) startTool(ctx context.Context, c container.Summary) error {
	if c.State == container.StateRunning {
		return nil
	}
	if err := b.cli.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
		return fmt.Errorf("docker: start tool container %s: %w; devbox tools rm removes it", slotName(c), err)
	}
	return nil
}

// claimTool takes c's lock on dir for the run and checks that c was not
// removed before it got it; nil when it was (or cannot be started).
func (b *Backend) claimTool(ctx context.Context, lockDir string, c container.Summary, dir string) *tools.DirLock {
	l, err := tools.HoldDir(ctx, lockDir, "docker-"+slotName(c), dir)
	if err != nil {
		return nil
	}
	ins, err := b.cli.ContainerInspect(ctx, c.ID)
	if err == nil && ins.State != nil {
		c.State = container.ContainerState(ins.State.Status)
		if b.startTool(ctx, c) == nil {
			return l
		}
	}
	l.Release()
	return nil
}

// removeIdleTools removes the containers (but keep) no run holds, and
// returns those left.
func (b *Backend) removeIdleTools(ctx context.Context, cs []container.Summary, keep string) []container.Summary {
	lockDir := engine.LockDir(os.Getenv)
	var left []container.Summary
	for _, c := range cs {
		if c.ID == keep {
			left = append(left, c)
			continue
		}
		l, ok, err := tools.TryDir(lockDir, "docker-"+slotName(c), c.Labels[LabelToolDir])
		if err != nil || !ok {
			left = append(left, c) // in use: the run using it keeps it
			continue
		}
		cctx, cancel := cleanupCtx(ctx)
		err = b.cli.ContainerRemove(cctx, c.ID, container.RemoveOptions{Force: true})
		cancel()
		l.Release()
		if err != nil && !notFound(err) {
			left = append(left, c)
		}
	}
	return left
}

// slotName is a listed container's name.
func slotName(c container.Summary) string {
	if len(c.Names) == 0 {
		return c.ID
	}
	return strings.TrimPrefix(c.Names[0], "/")
}

// freeSlot is the first container name of the tool not in cs: name, then
// name-2, name-3, ...; "" when every slot is in use.
func freeSlot(name string, cs []container.Summary) string {
	taken := map[string]bool{}
	for _, c := range cs {
		for _, n := range c.Names {
			taken[strings.TrimPrefix(n, "/")] = true
		}
	}
	for i := 1; i <= maxToolSlots; i++ {
		slot := name
		if i > 1 {
			slot = fmt.Sprintf("%s-%d", name, i)
		}
		if !taken[slot] {
			return slot
		}
	}
	return ""
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
// named name with opts.Workdir bind-mounted at its own path, and sets the
// user up.
func (b *Backend) createTool(ctx context.Context, env *envfile.Environment, t *envfile.Tool, base image.InspectResponse, hash, name string, opts engine.ToolOptions) (string, error) {
	ev := engine.Ref{Kind: tools.Kind, Name: t.Name}
	img := base.ID
	if s := tools.Service(t); needsBuild(s) {
		var err error
		if img, err = b.buildImage(ctx, s, base, env.Proxy, ev, opts.Progress); err != nil {
			return "", fmt.Errorf("docker: tool %q: %w", t.Name, err)
		}
	}
	labels := b.labels(env.Project, tools.Kind, t.Name, hash)
	labels[LabelToolDir] = opts.Workdir
	labels[LabelToolUID] = strconv.Itoa(opts.UID)
	init := true
	hc := &container.HostConfig{
		Init: &init,
		// The host's network: the tool reaches what a host program would
		// (the environment's forwarded ports on 127.0.0.1 included).
		NetworkMode:   "host",
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyDisabled},
	}
	hc.Mounts = []mount.Mount{{Type: mount.TypeBind, Source: opts.Workdir, Target: opts.Workdir}}
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

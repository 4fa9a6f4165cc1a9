package docker

import (
	"bytes"
	"context"
	"fmt"
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

var (
	_ engine.ToolRunner  = (*Backend)(nil)
	_ engine.ToolBackend = (*Backend)(nil)
)

// RunTool runs a tool's command with args in its warm container, made
// ready by tools.Ensure: created when there is none (image + platform +
// packages + provision, built with the services' step cache), replaced
// when the tool changed. The program runs as opts.UID:GID in
// opts.Workdir, mounted at the same path; the container runs `sleep
// infinity` and every call is an exec, so the second call is fast.
//
// Mounts cannot change on a running container, so each has one host
// directory: a run elsewhere replaces it once no run uses it, else gets
// a container of its own (name-2, name-3, ...).
func (b *Backend) RunTool(ctx context.Context, env *envfile.Environment, name string, args []string, opts engine.ToolOptions, stdio engine.Stdio) (int, error) {
	return tools.Run(ctx, b, env, name, args, opts, stdio)
}

// ToolImage resolves the tool's base image; Base is its inspect result.
func (b *Backend) ToolImage(ctx context.Context, t *envfile.Tool, p engine.Progress) (engine.ToolImage, error) {
	img, err := b.toolBase(ctx, t, engine.Ref{Kind: tools.Kind, Name: t.Name}, p)
	if err != nil {
		return engine.ToolImage{}, err
	}
	return engine.ToolImage{ID: img.ID, Base: img}, nil
}

// ObserveTools lists the project's tool containers, of one tool and user
// or (tool "") all of them.
func (b *Backend) ObserveTools(ctx context.Context, project, tool string, uid int) ([]engine.ToolContainer, error) {
	f := projectFilter(project, tools.Kind)
	if tool != "" {
		f.Add("label", LabelName+"="+tool)
		f.Add("label", LabelToolUID+"="+strconv.Itoa(uid))
	}
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, fmt.Errorf("docker: list tool containers: %w", err)
	}
	out := make([]engine.ToolContainer, 0, len(cs))
	for _, c := range cs {
		name, tn := slotName(c), c.Labels[LabelName]
		u, _ := strconv.Atoi(c.Labels[LabelToolUID])
		tc := engine.ToolContainer{
			Name: name, ID: c.ID, Tool: tn, UID: u, Slot: tools.SlotOf(name, tools.Name(project, tn, u)),
			Hash: c.Labels[LabelHash], Running: c.State == container.StateRunning,
		}
		if d := c.Labels[LabelToolDir]; d != "" {
			tc.Dirs = []string{d}
		}
		out = append(out, tc)
	}
	return out, nil
}

// StartTool starts a stopped tool container (stopped by a daemon restart,
// say).
func (b *Backend) StartTool(ctx context.Context, c engine.ToolContainer) error {
	if err := b.cli.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
		return fmt.Errorf("docker: start tool container %s: %w; devbox tools rm removes it", c.Name, err)
	}
	return nil
}

// RemoveTool removes a tool container, running or not.
func (b *Backend) RemoveTool(ctx context.Context, name string) error {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	if err := b.cli.ContainerRemove(cctx, name, container.RemoveOptions{Force: true}); err != nil && !notFound(err) {
		return fmt.Errorf("docker: remove tool container %s: %w", name, err)
	}
	return nil
}

// ExecTool runs the tool's command in c as the user.
func (b *Backend) ExecTool(ctx context.Context, c engine.ToolContainer, t *envfile.Tool, args []string, opts engine.ToolOptions, stdio engine.Stdio) (int, error) {
	return b.toolExec(ctx, c.ID, t, args, opts, stdio)
}

// slotName is a listed container's name.
func slotName(c container.Summary) string {
	if len(c.Names) == 0 {
		return c.ID
	}
	return strings.TrimPrefix(c.Names[0], "/")
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
	err := b.pull(ctx, ref, t.Platform, ev, p)
	if err == nil {
		img, ierr := b.cli.ImageInspect(ctx, ref)
		if ierr == nil && fits(img) {
			return img, nil
		}
		err = fmt.Errorf("pulled %s is %s/%s", ref, img.Os, img.Architecture)
	}
	return image.InspectResponse{}, tools.NoImageError("docker", t.Image, t.Platform, cands, err)
}

// CreateTool builds the tool's image, creates and starts c with its
// directory bind-mounted at its own path, and sets the user up.
func (b *Backend) CreateTool(ctx context.Context, env *envfile.Environment, t *envfile.Tool, img engine.ToolImage, c engine.ToolContainer, opts engine.ToolOptions) (engine.ToolContainer, error) {
	ev := engine.Ref{Kind: tools.Kind, Name: t.Name}
	base, ok := img.Base.(image.InspectResponse)
	if !ok || len(c.Dirs) != 1 {
		return c, fmt.Errorf("docker: tool %q: create %s: want a docker image and one directory", t.Name, c.Name)
	}
	ref := base.ID
	if s := tools.Service(t); needsBuild(s) {
		var err error
		if ref, err = b.buildImage(ctx, s, base, env.Proxy, ev, opts.Progress); err != nil {
			return c, fmt.Errorf("docker: tool %q: %w", t.Name, err)
		}
	}
	labels := b.labels(env.Project, tools.Kind, t.Name, c.Hash)
	labels[LabelToolDir] = c.Dirs[0]
	labels[LabelToolUID] = strconv.Itoa(c.UID)
	init := true
	hc := &container.HostConfig{
		Init: &init,
		// The host's network: the tool reaches what a host program would
		// (the environment's forwarded ports on 127.0.0.1 included).
		NetworkMode:   "host",
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyDisabled},
	}
	hc.Mounts = []mount.Mount{{Type: mount.TypeBind, Source: c.Dirs[0], Target: c.Dirs[0]}}
	cfg := &container.Config{
		Image:      ref,
		Entrypoint: []string{"sleep"},
		Cmd:        []string{"infinity"},
		User:       "0",
		Labels:     labels,
	}
	opts.Progress(engine.Event{Ref: ev, Status: "creating container " + c.Name})
	created, err := b.cli.ContainerCreate(ctx, cfg, hc, nil, nil, c.Name)
	if err != nil {
		return c, fmt.Errorf("docker: tool %q: create container %s: %w", t.Name, c.Name, err)
	}
	c.ID = created.ID
	if err := b.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		b.discard(ctx, created.ID)
		return c, fmt.Errorf("docker: tool %q: start container %s: %w", t.Name, c.Name, err)
	}
	// Best effort: an image without a shell still runs its program.
	var out bytes.Buffer
	setup := []string{"/bin/sh", "-c", tools.UserSetup, "sh", strconv.Itoa(opts.UID), strconv.Itoa(opts.GID)}
	if _, err := b.execRaw(ctx, created.ID, container.ExecOptions{Cmd: setup, User: "0"}, engine.Stdio{Out: &out, Err: &out}, nil); err != nil {
		opts.Progress(engine.Event{Ref: ev, Status: "user setup failed: " + err.Error()})
	}
	return c, nil
}

// RemoveTools removes the project's warm tool containers (all of them, or
// those of the named tools) and returns the names removed.
func (b *Backend) RemoveTools(ctx context.Context, project string, names []string) ([]string, error) {
	return tools.RemoveAll(ctx, b, project, names)
}

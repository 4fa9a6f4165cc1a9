package lxc

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	incus "github.com/lxc/incus/v6/client"
	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/tools"
)

// Config keys of tool instances. They are not user.devbox.project: a tool
// instance is not the project's environment instance.
const (
	keyToolProject = "user.devbox.tool.project"
	keyToolName    = "user.devbox.tool.name"
	keyToolHash    = "user.devbox.tool.hash"
	keyToolUID     = "user.devbox.tool.uid"
	keyToolHome    = "user.devbox.tool.home"
	toolDirDevice  = "tooldir-" // + hash: a host directory mounted at its own path
)

var (
	_ engine.ToolRunner  = (*Backend)(nil)
	_ engine.ToolBackend = (*Backend)(nil)
	_ engine.ToolMounter = (*Backend)(nil)
)

// RunTool runs a tool's command with args in its warm instance, made
// ready by tools.Ensure: created when there is none (image for the
// platform, e.g. an i686 instance from debian/12/i386, then packages and
// provision steps through the layer cache), replaced when the tool
// changed. opts.Workdir is mounted at the same path with shift=true, so
// files keep the caller's ownership, and the program runs there as
// opts.UID:GID through exec, so the second call is fast.
//
// Devices can change on a running instance, so one instance serves every
// directory: a run in a new one hot-plugs it, and tools.Ensure unplugs the
// directories no run uses.
func (b *Backend) RunTool(ctx context.Context, env *envfile.Environment, name string, args []string, opts engine.ToolOptions, stdio engine.Stdio) (int, error) {
	return tools.Run(ctx, b, env, name, args, opts, stdio)
}

// ToolImage resolves the tool's image for its platform.
func (b *Backend) ToolImage(ctx context.Context, t *envfile.Tool, p engine.Progress) (engine.ToolImage, error) {
	base, err := b.toolBase(ctx, t)
	if err != nil {
		return engine.ToolImage{}, err
	}
	return engine.ToolImage{ID: base.Image.Fingerprint, Base: base}, nil
}

// toolBase resolves the tool's image for its platform.
func (b *Backend) toolBase(ctx context.Context, t *envfile.Tool) (*baseImage, error) {
	arch, _ := tools.ArchOf(t.Platform)
	cands := tools.IncusCandidates(t.Image, t.Platform)
	var last error
	for _, c := range cands {
		img, err := b.resolveImage(ctx, c)
		if err != nil {
			last = err
			continue
		}
		if t.Platform == "" || img.Image.Architecture == arch.Incus {
			return img, nil
		}
		last = fmt.Errorf("%s is %s, not %s", c, img.Image.Architecture, arch.Incus)
	}
	if t.Platform == "" {
		return nil, last
	}
	return nil, tools.NoImageError("lxc", t.Image, t.Platform, cands, last)
}

// ObserveTools lists the project's tool instances: the one of a tool and
// user (a single lookup, for the warm path), or (tool "") all of them.
func (b *Backend) ObserveTools(ctx context.Context, project, tool string, uid int) ([]engine.ToolContainer, error) {
	if tool != "" {
		name := tools.Name(project, tool, uid)
		inst, _, err := b.c.GetInstance(name)
		if api.StatusErrorCheck(err, 404) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("lxc: get tool instance %s: %w", name, err)
		}
		return []engine.ToolContainer{toolContainer(project, *inst)}, nil
	}
	list, err := b.c.GetInstances(api.InstanceTypeAny)
	if err != nil {
		return nil, fmt.Errorf("lxc: list instances: %w", err)
	}
	var out []engine.ToolContainer
	for _, inst := range list {
		if inst.Config[keyToolProject] == project {
			out = append(out, toolContainer(project, inst))
		}
	}
	return out, nil
}

func toolContainer(project string, inst api.Instance) engine.ToolContainer {
	tool := inst.Config[keyToolName]
	uid, _ := strconv.Atoi(inst.Config[keyToolUID])
	return engine.ToolContainer{
		Name: inst.Name, ID: inst.Name, Tool: tool, UID: uid, Slot: tools.SlotOf(inst.Name, tools.Name(project, tool, uid)),
		Hash: inst.Config[keyToolHash], Running: inst.StatusCode == api.Running,
		Dirs: toolDirs(inst.Devices), Home: inst.Config[keyToolHome],
	}
}

// StartTool starts the instance when it is stopped (by a host reboot, say).
func (b *Backend) StartTool(ctx context.Context, c engine.ToolContainer) error {
	if err := b.setState(c.Name, "start", false); err != nil {
		return fmt.Errorf("lxc: start tool instance %s: %w", c.Name, err)
	}
	return nil
}

// RemoveTool deletes a tool instance, running or not.
func (b *Backend) RemoveTool(ctx context.Context, name string) error {
	return b.deleteInstance(ctx, name)
}

// toolDirs lists the host directories mounted in a tool instance.
func toolDirs(devices map[string]map[string]string) []string {
	var out []string
	for k, d := range devices {
		if strings.HasPrefix(k, toolDirDevice) && d["type"] == "disk" {
			out = append(out, d["path"])
		}
	}
	sort.Strings(out)
	return out
}

// dirDevice mounts dir at its own path; shift maps ownership through the
// instance's idmap, so the caller's files stay theirs.
func (b *Backend) dirDevice(dir string) (string, map[string]string) {
	d := map[string]string{"type": "disk", "source": dir, "path": dir}
	if b.canShift() {
		d["shift"] = "true"
	}
	return toolDirDevice + engine.Hash(dir)[:12], d
}

func (b *Backend) canShift() bool {
	srv, _, err := b.c.GetServer()
	return err == nil && srv.Environment.KernelFeatures["idmapped_mounts"] == "true"
}

// MountTool hot-plugs mount into the instance and unplugs unmount, in
// one update.
func (b *Backend) MountTool(ctx context.Context, c engine.ToolContainer, mount string, unmount []string) error {
	inst, etag, err := b.c.GetInstance(c.Name)
	if err != nil {
		return fmt.Errorf("lxc: get tool instance %s: %w", c.Name, err)
	}
	put := inst.Writable()
	for k, d := range put.Devices {
		if strings.HasPrefix(k, toolDirDevice) && d["type"] == "disk" && slices.Contains(unmount, d["path"]) {
			delete(put.Devices, k)
		}
	}
	if mount != "" {
		k, dev := b.dirDevice(mount)
		put.Devices[k] = dev
	}
	if err := wait(b.c.UpdateInstance(c.Name, put, etag)); err != nil {
		return fmt.Errorf("lxc: mount %s into tool instance %s: %w", mount, c.Name, err)
	}
	return nil
}

// CreateTool creates c from img (see createTool) and returns it with the
// user's home.
func (b *Backend) CreateTool(ctx context.Context, env *envfile.Environment, t *envfile.Tool, img engine.ToolImage, c engine.ToolContainer, opts engine.ToolOptions) (engine.ToolContainer, error) {
	base, ok := img.Base.(*baseImage)
	if !ok {
		return c, fmt.Errorf("lxc: tool %q: create %s: not an incus image", t.Name, c.Name)
	}
	home, err := b.createTool(ctx, env, t, base, c, opts)
	c.Home = home
	return c, err
}

// createTool creates the instance from the longest cached layer of the
// tool's provisioning, starts it, provisions the rest, sets the user up and
// labels it last (an interrupted create is replaced next time).
func (b *Backend) createTool(ctx context.Context, env *envfile.Environment, t *envfile.Tool, base *baseImage, c engine.ToolContainer, opts engine.ToolOptions) (string, error) {
	name := c.Name
	r := engine.Resource{Kind: tools.Kind, Name: name}
	p := func(e engine.Event) { e.Ref = engine.Ref{Kind: tools.Kind, Name: t.Name}; opts.Progress(e) }
	spec := hostSpec{Image: base.Name, Profiles: env.LXC.Profiles, Packages: t.Packages, Steps: t.Provision}
	if len(spec.Profiles) == 0 {
		spec.Profiles = []string{"default"}
	}
	spec.BaseFP = base.Image.Fingerprint
	layers := layerKeys(base.Image.Fingerprint, spec)
	done, cached := b.cachedLayer(spec, layers)
	config := map[string]string{
		keyToolProject: env.Project, keyToolName: t.Name, keyToolUID: strconv.Itoa(opts.UID), keyVersion: devboxVersion(),
	}
	devices := map[string]map[string]string{}
	for _, d := range c.Dirs {
		k, dev := b.dirDevice(d)
		devices[k] = dev
	}
	if !b.canShift() && opts.UID != 0 {
		// Without idmapped mounts, map the caller's ids straight through.
		config["raw.idmap"] = fmt.Sprintf("uid %d %d\ngid %d %d", opts.UID, opts.UID, opts.GID, opts.GID)
	}
	req := api.InstancesPost{Name: name, Type: api.InstanceTypeContainer, InstancePut: api.InstancePut{
		Profiles: spec.Profiles, Config: config, Devices: devices,
		Description: fmt.Sprintf("devbox tool %s of %s", t.Name, env.Project),
	}}
	var err error
	switch {
	case cached != "":
		p(engine.Event{Status: fmt.Sprintf("creating %s from cache (%d of %d layers)", name, done+1, len(layers))})
		req.Source = api.InstanceSource{Type: "image", Fingerprint: cached}
		err = wait(b.c.CreateInstance(req))
	case base.Server != nil:
		p(engine.Event{Status: "creating " + name + " from " + base.Remote + ":" + base.Name})
		var op incus.RemoteOperation
		if op, err = b.c.CreateInstanceFromImage(base.Server, base.Image, req); err == nil {
			err = op.Wait()
		}
	default:
		p(engine.Event{Status: "creating " + name + " from " + base.Name})
		req.Source = api.InstanceSource{Type: "image", Fingerprint: base.Image.Fingerprint}
		err = wait(b.c.CreateInstance(req))
	}
	if err != nil {
		return "", fmt.Errorf("lxc: tool %q: create instance %s from %s: %w", t.Name, name, base.Name, err)
	}
	if err := b.setState(name, "start", false); err != nil {
		_ = b.deleteInstance(context.WithoutCancel(ctx), name)
		return "", fmt.Errorf("lxc: tool %q: start instance %s: %w", t.Name, name, err)
	}
	if done < len(layers)-1 {
		// Steps may use systemctl: wait for systemd when the image has it
		// (busybox-init images have nothing to wait for).
		if _, err := b.output(ctx, name, "/bin/sh", "-c", "command -v systemctl"); err == nil {
			if err := b.waitSystemd(ctx, name); err != nil {
				return "", err
			}
		}
		if err := b.provision(ctx, r, spec, layers, done, env.Proxy, p); err != nil {
			return "", fmt.Errorf("lxc: tool %q: %w (instance %s kept for inspection)", t.Name, err, name)
		}
	}
	home, err := b.output(ctx, name, "/bin/sh", "-c", tools.UserSetup, "sh", strconv.Itoa(opts.UID), strconv.Itoa(opts.GID))
	if err != nil {
		p(engine.Event{Status: "user setup failed: " + err.Error()})
	}
	home = strings.TrimSpace(home)
	if home == "" {
		home = tools.Home
	}
	return home, b.setConfig(name, map[string]string{keyToolHome: home, keyToolHash: c.Hash})
}

// ExecTool runs the tool's command in c as the user.
func (b *Backend) ExecTool(ctx context.Context, c engine.ToolContainer, t *envfile.Tool, args []string, opts engine.ToolOptions, stdio engine.Stdio) (int, error) {
	home := c.Home
	if home == "" {
		home = tools.Home
	}
	return b.toolExec(ctx, c.Name, home, t, args, opts, stdio)
}

// toolExec runs the command as the user in the working directory, with
// signals and window size forwarded over the exec's control socket.
func (b *Backend) toolExec(ctx context.Context, name, home string, t *envfile.Tool, args []string, opts engine.ToolOptions, stdio engine.Stdio) (int, error) {
	env := map[string]string{"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": home}
	if opts.UID == 0 {
		env["HOME"] = "/root"
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	runID := tools.NewRunID()
	env[tools.RunIDVar] = runID
	req := execReq{
		Cmd: append(append([]string{}, t.Command...), args...), Env: env,
		UID: uint32(opts.UID), GID: uint32(opts.GID), Cwd: opts.Workdir,
		Stdin: stdio.In, Stdout: stdio.Out, Stderr: stdio.Err, TTY: stdio.TTY,
		Signals: stdio.Signals, Size: stdio.Size,
	}
	// Cancelled: kill the program and everything it started.
	req.Kill = func() {
		kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = b.run(kctx, name, execReq{Cmd: []string{"/bin/sh", "-c", tools.KillScript, "sh", runID, "9"}, UID: req.UID, GID: req.GID})
	}
	code, err := b.run(ctx, name, req)
	if err != nil && ctx.Err() == nil {
		return code, fmt.Errorf("lxc: tool %q: %w", t.Name, err)
	}
	return code, err
}

// RemoveTools deletes the project's warm tool instances (all of them, or
// those of the named tools) and returns the names deleted.
func (b *Backend) RemoveTools(ctx context.Context, project string, names []string) ([]string, error) {
	return tools.RemoveAll(ctx, b, project, names)
}

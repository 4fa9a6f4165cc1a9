package lxc

import (
	"context"
	"fmt"
	"os"
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

var _ engine.ToolRunner = (*Backend)(nil)

// RunTool runs a tool's command with args in its warm instance, creating
// it first when there is none (image for the platform, e.g. an i686
// instance from debian/12/i386, then packages and provision steps through
// the layer cache), or when the tool changed. opts.Workdir is mounted at
// the same path with shift=true, so files keep the caller's ownership, and
// the program runs there as opts.UID:GID through exec, so the second call
// is fast.
//
// The instance has only the directories of the runs using it mounted:
// each run holds its directory's lock shared (tools.HoldDir) until it
// ends, and a run in a new directory hot-plugs it and unplugs every other
// one whose lock it can take exclusively, so no mount is taken from a
// running program.
func (b *Backend) RunTool(ctx context.Context, env *envfile.Environment, name string, args []string, opts engine.ToolOptions, stdio engine.Stdio) (int, error) {
	t := env.Tool(name)
	if t == nil {
		return -1, fmt.Errorf("lxc: no tool %q in %s", name, env.File)
	}
	if err := tools.CheckWorkdir(opts.Workdir); err != nil {
		return -1, fmt.Errorf("lxc: tool %q: %w", name, err)
	}
	if opts.Progress == nil {
		opts.Progress = engine.Discard
	}
	inst, home, held, err := b.toolInstance(ctx, env, t, opts)
	if err != nil {
		return -1, err
	}
	defer held.Release()
	return b.toolExec(ctx, inst, home, t, args, opts, stdio)
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

// toolInstance returns a running instance for the tool with opts.Workdir
// mounted, the user's home there, and the lock that keeps the directory
// mounted for the run.
func (b *Backend) toolInstance(ctx context.Context, env *envfile.Environment, t *envfile.Tool, opts engine.ToolOptions) (string, string, *tools.DirLock, error) {
	base, err := b.toolBase(ctx, t)
	if err != nil {
		return "", "", nil, err
	}
	hash := tools.Hash(t, base.Image.Fingerprint)
	name := tools.Name(env.Project, t.Name, opts.UID)
	lockDir, owner := engine.LockDir(os.Getenv), "lxc-"+name
	held, err := tools.HoldDir(ctx, lockDir, owner, opts.Workdir)
	if err != nil {
		return "", "", nil, fmt.Errorf("lxc: tool %q: %w", t.Name, err)
	}
	home, err := b.toolReady(ctx, env, t, base, hash, opts, &held)
	if err != nil {
		held.Release()
		return "", "", nil, err
	}
	return name, home, held, nil
}

// toolReady readies the instance for a run in opts.Workdir, whose lock
// *held the caller holds shared (it may be swapped for another).
func (b *Backend) toolReady(ctx context.Context, env *envfile.Environment, t *envfile.Tool, base *baseImage, hash string, opts engine.ToolOptions, held **tools.DirLock) (string, error) {
	name := tools.Name(env.Project, t.Name, opts.UID)
	lockDir, owner := engine.LockDir(os.Getenv), "lxc-"+name
	inst, etag, err := b.toolGet(name)
	if err != nil {
		return "", err
	}
	if inst != nil && inst.Config[keyToolHash] == hash && onlyDir(toolDirs(inst.Devices), opts.Workdir) {
		return inst.Config[keyToolHome], b.startTool(name, inst) // warm
	}
	// Cold, or mounts to change: one devbox run at a time, the others
	// wait and then find it ready.
	ev := engine.Ref{Kind: tools.Kind, Name: t.Name}
	unlock, err := engine.Lock(ctx, lockDir, "lxc-tool", name, func() {
		opts.Progress(engine.Event{Ref: ev, Status: "waiting for another devbox run to set up " + name})
	})
	if err != nil {
		return "", err
	}
	defer unlock()
	if inst, etag, err = b.toolGet(name); err != nil {
		return "", err
	}
	if inst != nil && inst.Config[keyToolHash] == hash {
		if err := b.swapToolDirs(name, inst, etag, owner, opts.Workdir); err != nil {
			return "", err
		}
		return inst.Config[keyToolHome], b.startTool(name, inst)
	}
	if inst != nil {
		// The tool changed: the instance goes, so no run may be using it,
		// this one's directory included (its lock is taken exclusively
		// while the new instance is made, then shared for the run).
		(*held).Release()
		frees, busy, err := tryDirs(lockDir, owner, toolDirs(inst.Devices), opts.Workdir)
		defer func() { releaseAll(frees) }()
		if err != nil {
			return "", err
		}
		if busy != "" {
			return "", fmt.Errorf("lxc: tool %q changed, but another devbox run in %s still uses its instance %s; run it again when that one ends", t.Name, busy, name)
		}
		*held, frees = frees[0], frees[1:]
		opts.Progress(engine.Event{Ref: ev, Status: "replacing " + name})
		if err := b.deleteInstance(ctx, name); err != nil {
			return "", err
		}
		home, err := b.createTool(ctx, env, t, base, hash, []string{opts.Workdir}, opts)
		if serr := (*held).Share(); err == nil {
			err = serr
		}
		return home, err
	}
	return b.createTool(ctx, env, t, base, hash, []string{opts.Workdir}, opts)
}

// toolGet returns the tool instance, nil when there is none.
func (b *Backend) toolGet(name string) (*api.Instance, string, error) {
	inst, etag, err := b.c.GetInstance(name)
	if err != nil {
		if api.StatusErrorCheck(err, 404) {
			return nil, "", nil
		}
		return nil, "", fmt.Errorf("lxc: get tool instance %s: %w", name, err)
	}
	return inst, etag, nil
}

// startTool starts the instance when it is stopped (by a host reboot, say).
func (b *Backend) startTool(name string, inst *api.Instance) error {
	if inst.StatusCode == api.Running {
		return nil
	}
	if err := b.setState(name, "start", false); err != nil {
		return fmt.Errorf("lxc: start tool instance %s: %w", name, err)
	}
	return nil
}

func onlyDir(dirs []string, dir string) bool { return len(dirs) == 1 && dirs[0] == dir }

// tryDirs takes the locks of dir and of dirs exclusively, dir's first; busy
// names one a run holds (the locks taken so far are returned to release).
func tryDirs(lockDir, owner string, dirs []string, dir string) (locks []*tools.DirLock, busy string, err error) {
	for _, d := range append([]string{dir}, dirs...) {
		if d == dir && len(locks) > 0 {
			continue
		}
		l, ok, err := tools.TryDir(lockDir, owner, d)
		if err != nil {
			return locks, "", err
		}
		if !ok {
			return locks, d, nil
		}
		locks = append(locks, l)
	}
	return locks, "", nil
}

func releaseAll(ls []*tools.DirLock) {
	for _, l := range ls {
		l.Release()
	}
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

// swapToolDirs mounts dir in the instance (hot-plugged when it runs) and
// unplugs every other directory no run holds; directories in use stay.
func (b *Backend) swapToolDirs(name string, inst *api.Instance, etag, owner, dir string) error {
	lockDir := engine.LockDir(os.Getenv)
	put := inst.Writable()
	var frees []*tools.DirLock
	defer func() { releaseAll(frees) }()
	has := false
	for k, d := range put.Devices {
		if !strings.HasPrefix(k, toolDirDevice) || d["type"] != "disk" {
			continue
		}
		if d["path"] == dir {
			has = true
			continue
		}
		if l, ok, err := tools.TryDir(lockDir, owner, d["path"]); err == nil && ok {
			frees = append(frees, l) // held until the device is gone
			delete(put.Devices, k)
		}
	}
	if has && len(frees) == 0 {
		return nil
	}
	if !has {
		k, dev := b.dirDevice(dir)
		put.Devices[k] = dev
	}
	if err := wait(b.c.UpdateInstance(name, put, etag)); err != nil {
		return fmt.Errorf("lxc: mount %s into tool instance %s: %w", dir, name, err)
	}
	return nil
}

// createTool creates the instance from the longest cached layer of the
// tool's provisioning, starts it, provisions the rest, sets the user up and
// labels it last (an interrupted create is replaced next time).
func (b *Backend) createTool(ctx context.Context, env *envfile.Environment, t *envfile.Tool, base *baseImage, hash string, dirs []string, opts engine.ToolOptions) (string, error) {
	name := tools.Name(env.Project, t.Name, opts.UID)
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
	for _, d := range dirs {
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
	return home, b.setConfig(name, map[string]string{keyToolHome: home, keyToolHash: hash})
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
	list, err := b.c.GetInstances(api.InstanceTypeAny)
	if err != nil {
		return nil, fmt.Errorf("lxc: list instances: %w", err)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var gone []string
	for _, inst := range list {
		if inst.Config[keyToolProject] != project || (len(want) > 0 && !want[inst.Config[keyToolName]]) {
			continue
		}
		if err := b.deleteInstance(ctx, inst.Name); err != nil {
			return gone, err
		}
		gone = append(gone, inst.Name)
	}
	return gone, nil
}

package lxc

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// createHost makes the instance from the longest cached layer of its
// provisioning, starts it, waits for systemd, provisions what is left and
// writes the host hash last, so an interrupted create is rebuilt next time.
func (b *Backend) createHost(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	spec, err := specOf(env)
	if err != nil {
		return err
	}
	name := r.Name
	b.forgetInstalled(name)
	if err := b.removeLeftover(ctx, name, env.Project, say(r, p)); err != nil {
		return err
	}
	base, err := b.resolveImage(ctx, env.Image)
	if err != nil {
		return err
	}
	spec.BaseFP = base.Image.Fingerprint
	layers := layerKeys(base.Image.Fingerprint, spec)
	done, cached := b.cachedLayer(spec, layers)
	devices, config, err := b.instanceDevices(ctx, env, spec)
	if err != nil {
		return err
	}
	config[keyProject] = env.Project
	config[keyVersion] = devboxVersion()
	if d := engine.FileDir(env); d != "" {
		config[keyDir] = d // for devbox ls; in no hash
	}
	req := api.InstancesPost{Name: name, Type: api.InstanceTypeContainer, InstancePut: api.InstancePut{
		Profiles: spec.Profiles, Config: config, Devices: devices,
		Description: "devbox environment " + env.Project,
	}}
	switch {
	case cached != "" && done < 0:
		p(engine.Event{Ref: r.Ref(), Status: "creating from a cached layer with some of the packages"})
		req.Source = api.InstanceSource{Type: "image", Fingerprint: cached}
		err = b.createInstance(ctx, req)
	case cached != "":
		p(engine.Event{Ref: r.Ref(), Status: fmt.Sprintf("creating from cache (%d of %d layers)", done+1, len(layers))})
		req.Source = api.InstanceSource{Type: "image", Fingerprint: cached}
		err = b.createInstance(ctx, req)
	case base.Server != nil:
		p(engine.Event{Ref: r.Ref(), Status: "creating from " + base.Remote + ":" + env.Image})
		op, cerr := b.c.CreateInstanceFromImage(base.Server, base.Image, req)
		err = waitRemoteCtx(ctx, op, cerr)
	default:
		p(engine.Event{Ref: r.Ref(), Status: "creating from " + env.Image})
		req.Source = api.InstanceSource{Type: "image", Fingerprint: base.Image.Fingerprint}
		err = b.createInstance(ctx, req)
	}
	if err != nil {
		return fmt.Errorf("lxc: create instance %q from %s: %w", name, env.Image, err)
	}
	if err := b.requireSystemd(name, env.Image); err != nil {
		_ = b.deleteInstance(context.WithoutCancel(ctx), name)
		return err
	}
	if err := b.setState(name, "start", false); err != nil {
		_ = b.deleteInstance(context.WithoutCancel(ctx), name)
		return fmt.Errorf("lxc: start instance %q: %w", name, err)
	}
	if err := b.waitSystemd(ctx, name); err != nil {
		return err
	}
	// Images without templates keep the hostname they were built with.
	script := `h=$1; shift; printf '%s\n' "$h" >/etc/hostname && { hostname "$h" || busybox hostname "$h" || true; } 2>/dev/null || exit 1; ` + hostsScript
	if _, err := b.output(ctx, name, append([]string{"/bin/sh", "-c", script, "sh", name}, hostNames(env)...)...); err != nil {
		return fmt.Errorf("lxc: set hostname and /etc/hosts of %q: %w", name, err)
	}
	if err := b.provision(ctx, r, spec, layers, done, env.Proxy, p); err != nil {
		return fmt.Errorf("%w (instance %s kept for inspection: incus exec %s -- bash)", err, name, name)
	}
	// After provisioning, so cached layers never carry an address.
	if err := b.staticAddresses(ctx, env, name, devices); err != nil {
		return err
	}
	// Every unit at once, so that each service's create only starts its own.
	if err := b.installUnits(ctx, env); err != nil {
		return err
	}
	// keyScale: "" (none kept) leaves it unset.
	return b.setConfig(name, map[string]string{keyHash: r.Hash, keyScale: b.takeScale(name)})
}

// instanceDevices turns the spec into devices (NICs, mounts, volumes,
// proxies) and config (limits, raw.idmap when mounts cannot be shifted).
func (b *Backend) instanceDevices(ctx context.Context, env *envfile.Environment, spec hostSpec) (map[string]map[string]string, map[string]string, error) {
	config := map[string]string{}
	if spec.Limits.CPU > 0 {
		config["limits.cpu"] = itoa(spec.Limits.CPU)
	}
	if spec.Limits.Memory != "" {
		config["limits.memory"] = spec.Limits.Memory
	}
	nics := 0
	for _, prof := range spec.Profiles {
		pr, _, err := b.c.GetProfile(prof)
		if err != nil {
			return nil, nil, fmt.Errorf("lxc: profile %q: %w", prof, err)
		}
		for _, d := range pr.Devices {
			if d["type"] == "nic" {
				nics++
			}
		}
	}
	devices, labels, err := b.nicDevices(env, nics)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range labels {
		config[k] = v
	}
	srv, _, err := b.c.GetServer()
	if err != nil {
		return nil, nil, fmt.Errorf("lxc: server info: %w", err)
	}
	shift := srv.Environment.KernelFeatures["idmapped_mounts"] == "true"
	var idmap []string
	for _, m := range spec.Mounts {
		d := map[string]string{"type": "disk", "source": m.Source, "path": m.Target}
		if m.ReadOnly {
			d["readonly"] = "true"
		}
		if shift {
			d["shift"] = "true"
		} else if fi, err := os.Stat(m.Source); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				idmap = append(idmap, fmt.Sprintf("uid %d %d", st.Uid, st.Uid), fmt.Sprintf("gid %d %d", st.Gid, st.Gid))
			}
		}
		devices["mount-"+m.Name] = d
	}
	if len(idmap) > 0 {
		config["raw.idmap"] = strings.Join(idmap, "\n")
	}
	if len(spec.Volumes) > 0 {
		pool, err := b.pool(ctx)
		if err != nil {
			return nil, nil, err
		}
		for i, v := range spec.Volumes {
			devices[fmt.Sprintf("vol-%s-%d", v.Volume, i)] = map[string]string{
				"type": "disk", "pool": pool, "source": b.volumeName(pool, env.Project, v.Volume), "path": v.Path}
		}
	}
	for name, d := range portDevices(spec.Ports) {
		devices[name] = d
		config[keyPortOwners+name] = strings.Join(portServices(spec.Ports, name), ",")
	}
	config[keyDevices] = deviceList(devices)
	return devices, config, nil
}

// startHost starts a stopped instance and waits for systemd; enabled units
// come up with it.
func (b *Backend) startHost(ctx context.Context, env *envfile.Environment, r engine.Resource, p engine.Progress) error {
	if err := b.setState(r.Name, "start", false); err != nil {
		return fmt.Errorf("lxc: start instance %q: %w", r.Name, err)
	}
	return b.waitSystemd(ctx, r.Name)
}

func (b *Backend) stopInstance(ctx context.Context, name string) error {
	if err := b.setState(name, "stop", false); err != nil {
		if err := b.setState(name, "stop", true); err != nil {
			return fmt.Errorf("lxc: stop instance %q: %w", name, err)
		}
	}
	return nil
}

func (b *Backend) removeHost(ctx context.Context, r engine.Resource, p engine.Progress) error {
	if err := b.waitIdle(ctx, r.Name, say(r, p)); err != nil {
		return err
	}
	return b.deleteInstance(ctx, r.Name)
}

// say turns progress on r into a func for status lines.
func say(r engine.Resource, p engine.Progress) func(string) {
	if p == nil {
		p = engine.Discard
	}
	return func(s string) { p(engine.Event{Ref: r.Ref(), Status: s}) }
}

// removeLeftover deletes what an interrupted up left of the project's
// instance, and refuses to touch an instance of that name devbox did not
// make for this project.
func (b *Backend) removeLeftover(ctx context.Context, name, project string, say func(string)) error {
	inst, _, err := b.c.GetInstance(name)
	if err != nil {
		if api.StatusErrorCheck(err, 404) {
			return nil
		}
		return fmt.Errorf("lxc: get instance %q: %w", name, err)
	}
	if inst.Config[keyProject] != project {
		owner := "it has no devbox labels"
		if p := inst.Config[keyProject]; p != "" {
			owner = fmt.Sprintf("it belongs to devbox project %q", p)
		}
		return fmt.Errorf("lxc: an instance named %q is in the way and devbox did not make it for project %q (%s); "+
			"rename the project (project = \"…\" or -p), or remove that instance yourself (incus delete --force %s) if it is not needed",
			name, project, owner, name)
	}
	if err := b.waitIdle(ctx, name, say); err != nil {
		return err
	}
	return b.deleteInstance(ctx, name)
}

// deleteInstance force-stops and deletes an instance, once no operation
// runs on it (waitIdle); absent is fine.
func (b *Backend) deleteInstance(ctx context.Context, name string) error {
	if err := b.waitIdle(ctx, name, nil); err != nil {
		return err
	}
	inst, _, err := b.c.GetInstance(name)
	if err != nil {
		if api.StatusErrorCheck(err, 404) {
			return nil
		}
		return fmt.Errorf("lxc: get instance %q: %w", name, err)
	}
	b.keepScale(name, inst.Config[keyScale])
	if inst.StatusCode != api.Stopped {
		if err := b.setState(name, "stop", true); err != nil {
			return fmt.Errorf("lxc: stop instance %q: %w", name, err)
		}
	}
	if err := wait(b.c.DeleteInstance(name)); err != nil {
		return fmt.Errorf("lxc: delete instance %q: %w", name, err)
	}
	return nil
}

func (b *Backend) setState(name, action string, force bool) error {
	return wait(b.c.UpdateInstanceState(name, api.InstanceStatePut{Action: action, Timeout: 30, Force: force}, ""))
}

// waitSystemd waits until systemd in the instance accepts jobs:
// is-system-running says starting (basic.target reached, boot jobs still
// queued), running or degraded. Not for the boot to finish (--wait): one
// slow boot job, such as systemd-networkd-wait-online without a carrier
// (2 minutes), would hold up every up, and devbox's units need none of
// them; a unit's own dependencies still order it.
func (b *Backend) waitSystemd(ctx context.Context, name string) error {
	deadline := time.Now().Add(2 * time.Minute)
	last := ""
	for time.Now().Before(deadline) {
		out, err := b.output(ctx, name, "systemctl", "is-system-running")
		switch state := strings.TrimSpace(out); state {
		case "starting", "running", "degraded":
			return nil
		case "maintenance":
			return fmt.Errorf("lxc: instance %q: systemd is in rescue or emergency mode; see: incus exec %s -- journalctl -b", name, name)
		default:
			last = state
		}
		if commandNotFound(err) {
			return fmt.Errorf("lxc: instance %q has no systemctl; devbox runs every service as a systemd unit, so use an image with systemd, such as image = \"debian/12\"", name)
		}
		if err != nil && last == "" {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("lxc: instance %q: systemd did not come up: %s", name, last)
}

// hostsScript makes every service name (its arguments) resolve to
// 127.0.0.1 (all services share the instance's network namespace), in a
// block of /etc/hosts devbox owns.
const hostsScript = `[ -s /etc/hosts ] || printf '127.0.0.1 localhost\n::1 localhost\n' >/etc/hosts; ` +
	`sed -i '/^# devbox-begin/,/^# devbox-end/d' /etc/hosts && printf '# devbox-begin\n127.0.0.1 %s\n# devbox-end\n' "$*" >>/etc/hosts`

// wait waits for an operation.
func wait(op interface{ Wait() error }, err error) error {
	if err != nil {
		return err
	}
	return op.Wait()
}

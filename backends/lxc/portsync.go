package lxc

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/devbox-dev/devbox/envfile"
)

// Forwarded ports are not part of the instance's hash: a service's
// forwards are in its own hash, and creating or removing a service makes
// the instance's ports devices match the file (syncPortDevices), live. So
// adding a service with a forwarded port, or changing one's host port,
// replaces that service only, not the instance. A ports device carries
// every forward of its protocol and address, so rewriting it restarts
// Incus's forkproxy for the others on it too: their forwards pause for a
// moment, their services keep running.

// syncPortDevices makes the instance's ports-* devices and their owner
// labels match env's forwards, in one update (none when they match). An
// instance of an older devbox, with a device per forward, is only topped
// up for svc (ensurePortDevices), so no two devices listen on one port.
func (b *Backend) syncPortDevices(ctx context.Context, env *envfile.Environment, svc string) error {
	spec, err := specOf(env)
	if err != nil {
		return err
	}
	name := InstanceName(env.Project)
	b.cfgMu.Lock()
	inst, etag, err := b.c.GetInstance(name)
	if err != nil {
		b.cfgMu.Unlock()
		return fmt.Errorf("lxc: get instance %q: %w", name, err)
	}
	for dev := range inst.Devices {
		if _, old := portOwner(dev); old {
			b.cfgMu.Unlock()
			return b.ensurePortDevices(ctx, env, svc)
		}
	}
	defer b.cfgMu.Unlock()
	put := inst.Writable()
	want := portDevices(spec.Ports)
	changed := false
	for dev, d := range want {
		if !maps.Equal(put.Devices[dev], d) {
			put.Devices[dev] = d
			changed = true
		}
		if owners := strings.Join(portServices(spec.Ports, dev), ","); put.Config[keyPortOwners+dev] != owners {
			put.Config[keyPortOwners+dev] = owners
			changed = true
		}
	}
	for dev := range put.Devices {
		if strings.HasPrefix(dev, "ports-") && want[dev] == nil {
			delete(put.Devices, dev)
			delete(put.Config, keyPortOwners+dev)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	put.Config[keyDevices] = syncedDeviceList(put.Config[keyDevices], want)
	if err := wait(b.c.UpdateInstance(name, put, etag)); err != nil {
		return fmt.Errorf("lxc: update the forwarded ports of %q: %w", name, err)
	}
	return nil
}

// syncedDeviceList is the keyDevices value list with its ports-* entries
// replaced by the names of ports.
func syncedDeviceList(list string, ports map[string]map[string]string) string {
	devs := map[string]map[string]string{}
	for _, n := range strings.Split(list, ",") {
		if n != "" && !strings.HasPrefix(n, "ports-") {
			devs[n] = nil
		}
	}
	for n := range ports {
		devs[n] = nil
	}
	return deviceList(devs)
}

package lxc

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/envfile"
)

// keyDevices lists, comma-separated, the devices devbox gave the instance,
// so Observe can tell one removed by hand (incus config device remove):
// the host hash cannot, it covers the file, not the instance.
const keyDevices = "user.devbox.devices"

// portDevice is the proxy device that forwards f's host port.
func portDevice(f portForward) (string, map[string]string) {
	return fmt.Sprintf("port-%s-%d-%s", f.Service, f.Host, f.Proto), map[string]string{
		"type": "proxy", "bind": "host",
		"listen":  fmt.Sprintf("%s:%s:%d", f.Proto, f.HostIP, f.Host),
		"connect": fmt.Sprintf("%s:127.0.0.1:%d", f.Proto, f.Port),
	}
}

// deviceList is the value of keyDevices for devices.
func deviceList(devices map[string]map[string]string) string {
	names := make([]string, 0, len(devices))
	for n := range devices {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// deviceDrift says which devices keyDevices lists that the instance lacks,
// by owner: a port device belongs to its service, because creating the
// service adds it back (ensurePortDevices); any other to the host. A port
// device of a service not in services (not recorded, so created by the
// next up anyway) is no drift. It is pure.
func deviceDrift(inst *api.Instance, services []string) (host string, service map[string]string) {
	service = map[string]string{}
	known := map[string]bool{}
	for _, s := range services {
		known[s] = true
	}
	for _, name := range strings.Split(inst.Config[keyDevices], ",") {
		if name == "" || inst.Devices[name] != nil {
			continue
		}
		if svc, ok := portOwner(name); ok {
			if known[svc] && service[svc] == "" {
				service[svc] = fmt.Sprintf("port device %q missing", name)
			}
			continue
		}
		kind := "disk"
		if strings.HasPrefix(name, "net-") {
			kind = "network"
		}
		if host == "" {
			host = fmt.Sprintf("%s device %q missing", kind, name)
		}
	}
	return host, service
}

// portOwner is the service of port device name, "port-<service>-<host
// port>-<proto>" (service names may hold "-", the rest cannot).
func portOwner(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "port-")
	if !ok {
		return "", false
	}
	for range 2 {
		i := strings.LastIndex(rest, "-")
		if i <= 0 {
			return "", false
		}
		rest = rest[:i]
	}
	return rest, true
}

// ensurePortDevices adds the proxy devices of svc's forwarded ports that
// the instance lacks (removed by hand), so replacing the service repairs
// its ports without rebuilding the host.
func (b *Backend) ensurePortDevices(ctx context.Context, env *envfile.Environment, svc string) error {
	spec, err := specOf(env)
	if err != nil {
		return err
	}
	want := map[string]map[string]string{}
	for _, f := range spec.Ports {
		if f.Service == svc {
			name, d := portDevice(f)
			want[name] = d
		}
	}
	if len(want) == 0 {
		return nil
	}
	name := InstanceName(env.Project)
	b.cfgMu.Lock()
	defer b.cfgMu.Unlock()
	inst, etag, err := b.c.GetInstance(name)
	if err != nil {
		return fmt.Errorf("lxc: get instance %q: %w", name, err)
	}
	put := inst.Writable()
	added := false
	for n, d := range want {
		if put.Devices[n] == nil {
			put.Devices[n] = d
			added = true
		}
	}
	if !added {
		return nil
	}
	if err := wait(b.c.UpdateInstance(name, put, etag)); err != nil {
		return fmt.Errorf("lxc: service %q: add its port devices to %q: %w", svc, name, err)
	}
	return nil
}

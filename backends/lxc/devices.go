package lxc

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/envfile"
)

// keyDevices lists, comma-separated, the devices devbox gave the instance,
// so Observe can tell one removed by hand (incus config device remove):
// the host hash cannot, it covers the file, not the instance.
const keyDevices = "user.devbox.devices"

// keyPortOwners + a ports device's name lists, comma-separated, the
// services whose forwards it carries, for deviceDrift.
const keyPortOwners = "user.devbox.ports."

// portDevices are the proxy devices of forwards: one per protocol and host
// address, carrying all of their ports (listen and connect lists pair up).
// Each proxy device costs the instance's start about a second (incusd
// starts and waits for one forkproxy per device), so eight forwarded ports
// in eight devices cost eight; in one, one. NAT-mode devices (kernel DNAT,
// no forkproxy) would cost nothing, but cannot listen on 127.0.0.1: the
// DNAT'd packets keep the loopback source and the kernel drops them as
// martians unless route_localnet is set on the host, which devbox does
// not touch. The names are ports-<proto>-<address with - for . and :>.
func portDevices(ports []portForward) map[string]map[string]string {
	devs := map[string]map[string]string{}
	for _, f := range ports {
		name := portDeviceName(f)
		d := devs[name]
		if d == nil {
			d = map[string]string{"type": "proxy", "bind": "host",
				"listen": fmt.Sprintf("%s:%s:", f.Proto, f.HostIP), "connect": fmt.Sprintf("%s:127.0.0.1:", f.Proto)}
			devs[name] = d
		} else {
			d["listen"] += ","
			d["connect"] += ","
		}
		d["listen"] += itoa(f.Host)
		d["connect"] += itoa(f.Port)
	}
	return devs
}

func portDeviceName(f portForward) string {
	return "ports-" + f.Proto + "-" + strings.NewReplacer(".", "-", ":", "-").Replace(f.HostIP)
}

// portServices is, in file order and once each, the services whose
// forwards the ports device name carries.
func portServices(ports []portForward, name string) []string {
	var out []string
	for _, f := range ports {
		if portDeviceName(f) == name && !slices.Contains(out, f.Service) {
			out = append(out, f.Service)
		}
	}
	return out
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
// by owner: a ports device belongs to the services whose forwards it
// carries (keyPortOwners; a port-<service>-… device of an older devbox to
// its service), because creating them adds it back (ensurePortDevices);
// any other to the host. A port device of a service not in services (not
// recorded, so created by the next up anyway) is no drift. It is pure.
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
		owners := strings.Split(inst.Config[keyPortOwners+name], ",")
		if svc, ok := portOwner(name); ok {
			owners = []string{svc}
		} else if !strings.HasPrefix(name, "ports-") {
			owners = nil
		}
		if owners != nil {
			for _, svc := range owners {
				if known[svc] && service[svc] == "" {
					service[svc] = fmt.Sprintf("port device %q missing", name)
				}
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

// portOwner is the service of port device name of an older devbox,
// "port-<service>-<host port>-<proto>" (service names may hold "-", the
// rest cannot).
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

// ensurePortDevices adds back the ports devices carrying svc's forwards
// that the instance lacks (removed by hand), so replacing the service
// repairs its ports without rebuilding the host. Where another proxy
// device still holds some of that device's ports (an instance of an older
// devbox, one device per forward), each forward nobody holds gets a
// device of its own instead, so no two listen on one port.
func (b *Backend) ensurePortDevices(ctx context.Context, env *envfile.Environment, svc string) error {
	spec, err := specOf(env)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(spec.Ports, func(f portForward) bool { return f.Service == svc }) {
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
	for dev, d := range portDevices(spec.Ports) {
		if put.Devices[dev] != nil || !slices.Contains(portServices(spec.Ports, dev), svc) {
			continue
		}
		var free []portForward
		for _, f := range spec.Ports {
			if portDeviceName(f) == dev && !held(put.Devices, f) {
				free = append(free, f)
			}
		}
		if len(free) == countIn(spec.Ports, dev) {
			put.Devices[dev] = d
			added = true
			continue
		}
		for _, f := range free {
			put.Devices[fmt.Sprintf("port-%s-%d-%s", f.Service, f.Host, f.Proto)] = portDevices([]portForward{f})[dev]
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

// countIn is how many of ports the ports device dev carries.
func countIn(ports []portForward, dev string) int {
	n := 0
	for _, f := range ports {
		if portDeviceName(f) == dev {
			n++
		}
	}
	return n
}

// held reports whether a proxy device of devices listens on f's host port.
func held(devices map[string]map[string]string, f portForward) bool {
	for _, d := range devices {
		if listensOn(d, f.Proto, f.HostIP, f.Host) {
			return true
		}
	}
	return false
}

// listensOn reports whether d is a proxy device listening on port of proto
// at addr (any address for "").
func listensOn(d map[string]string, proto, addr string, port int) bool {
	at, ports, ok := cutLast(d["listen"], ":")
	if d["type"] != "proxy" || !ok || !strings.HasPrefix(at, proto+":") || addr != "" && at != proto+":"+addr {
		return false
	}
	return slices.Contains(strings.Split(ports, ","), itoa(port))
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

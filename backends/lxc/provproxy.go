package lxc

import (
	"context"
	"fmt"
	"strings"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/proxy"
)

// proxyDevice prefixes the proxy devices that bring a loopback proxy into
// an instance while it is provisioned.
const proxyDevice = "devbox-proxy-"

// provisionProxy brings the user's proxy to instance name for the length
// of its provisioning and returns the exec environment that uses it.
// Each proxy on the host's loopback becomes an Incus proxy device that
// listens on the same address inside the instance (bind=instance), so
// the instance reaches that one port and nothing else of the host's
// loopback, and works without a NIC. The proxy is transport: it is in no
// file of the instance and in no cache key. release removes the devices.
func (b *Backend) provisionProxy(ctx context.Context, name string, s proxy.Settings, p engine.Progress) (env map[string]string, release func() error, err error) {
	release = func() error { return nil }
	if s.Empty() {
		return nil, release, nil
	}
	if b.remote != "local" {
		// The server's loopback is not this machine's: drop those proxies.
		if s = dropLoopback(s); s.Empty() {
			p(engine.Event{Status: "proxy on this machine's loopback is not reachable from remote " + b.remote + "; provisioning without it"})
			return nil, release, nil
		}
	}
	// Normalised (localhost becomes 127.0.0.1, the port explicit), so the
	// URL names exactly the address the device listens on.
	s = s.Rewrite(func(hostport string) string { return hostport })
	eps := s.Loopback()
	if len(eps) == 0 {
		return s.Environ(), release, nil
	}
	err = b.editDevices(name, func(devs map[string]map[string]string) bool {
		for i, hp := range eps {
			devs[fmt.Sprintf("%s%d", proxyDevice, i)] = map[string]string{
				"type": "proxy", "bind": "instance", "listen": "tcp:" + hp, "connect": "tcp:" + hp,
			}
		}
		return true
	})
	if err != nil {
		return nil, release, fmt.Errorf("lxc: bring proxy %s into %q: %w", strings.Join(eps, ", "), name, err)
	}
	release = func() error {
		if err := b.editDevices(name, removeProxyDevices); err != nil {
			return fmt.Errorf("lxc: remove the provisioning proxy from %q: %w", name, err)
		}
		return nil
	}
	return s.Environ(), release, nil
}

func removeProxyDevices(devs map[string]map[string]string) bool {
	removed := false
	for k := range devs {
		if strings.HasPrefix(k, proxyDevice) {
			delete(devs, k)
			removed = true
		}
	}
	return removed
}

// dropLoopback clears the settings that name a proxy on the loopback.
func dropLoopback(s proxy.Settings) proxy.Settings {
	if len(proxy.Settings{HTTP: s.HTTP}.Loopback()) > 0 {
		s.HTTP = ""
	}
	if len(proxy.Settings{HTTPS: s.HTTPS}.Loopback()) > 0 {
		s.HTTPS = ""
	}
	return s
}

// editDevices changes the instance's own devices (hot-plugged when it
// runs); edit sees them keyed by name and says whether it changed any.
func (b *Backend) editDevices(name string, edit func(map[string]map[string]string) bool) error {
	b.cfgMu.Lock()
	defer b.cfgMu.Unlock()
	inst, etag, err := b.c.GetInstance(name)
	if err != nil {
		return fmt.Errorf("lxc: get instance %q: %w", name, err)
	}
	put := inst.Writable()
	if put.Devices == nil {
		put.Devices = map[string]map[string]string{}
	}
	if !edit(put.Devices) {
		return nil
	}
	if err := wait(b.c.UpdateInstance(name, put, etag)); err != nil {
		return fmt.Errorf("lxc: update devices of %q: %w", name, err)
	}
	return nil
}

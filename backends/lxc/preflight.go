package lxc

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/hostport"
)

// Preflight checks, before anything is created, what would make an up
// fail half-way: the image exists, bridged parents exist, given subnets
// are free, and forwarded host ports are free (those the project's own
// running instance forwards already are fine). It returns all problems, joined.
// The CLI runs it before applying, as for docker; Create does not, and
// fails on the same faults only later.
func (b *Backend) Preflight(ctx context.Context, env *envfile.Environment) error {
	spec, err := specOf(env)
	if err != nil {
		return err
	}
	var errs []error
	if _, err := b.resolveImage(ctx, env.Image); err != nil {
		errs = append(errs, err)
	}
	for _, n := range networks(env) {
		switch {
		case n.Mode == envfile.NetworkBridged:
			errs = append(errs, b.checkParent(n))
		case n.Subnet != "":
			errs = append(errs, b.checkSubnet(ctx, env.Project, n))
		}
	}
	if b.remote != "local" {
		return errors.Join(errs...) // the ports are on another machine; Incus will tell
	}
	inst, err := b.instance(env.Project)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, f := range spec.Ports {
		// Its proxy devices hold these ports; a stopped one holds none.
		if inst == nil || inst.StatusCode != api.Running || !held(inst.Devices, f) {
			errs = append(errs, b.portFree(f))
		}
	}
	return errors.Join(errs...)
}

// portFree fails when the host port of f is taken, naming the holder as
// docker's preflight does (an instance forwarding it, else the process).
func (b *Backend) portFree(f portForward) error {
	addr := net.JoinHostPort(f.HostIP, itoa(f.Host))
	err := hostport.Probe(f.Proto, addr)
	if err == nil {
		return nil
	}
	return fmt.Errorf("lxc: service %q: host port %s/%s is not free: %s", f.Service, addr, f.Proto, b.portHolder(f, err))
}

// portHolder says who holds f's host port: an Incus instance whose proxy
// device listens on it (incusd's forkproxy holds the socket), else the
// process owning the socket.
func (b *Backend) portHolder(f portForward, bindErr error) string {
	if list, err := b.c.GetInstances(api.InstanceTypeAny); err == nil {
		for _, inst := range list {
			for _, d := range inst.Devices {
				if !listensOn(d, f.Proto, "", f.Host) {
					continue
				}
				if p := inst.Config[keyProject]; p != "" {
					return fmt.Sprintf("it is forwarded by instance %s of devbox project %q (devbox down in that project frees it)", inst.Name, p)
				}
				return fmt.Sprintf("it is forwarded by instance %s (incus stop %s frees it)", inst.Name, inst.Name)
			}
		}
	}
	return hostport.Describe(f.Proto, f.Host, bindErr)
}

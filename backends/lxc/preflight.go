package lxc

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// preflight is the once-per-environment check that runs before anything
// is created, so that bad input leaves nothing behind.
type preflight struct {
	done chan struct{}
	err  error
}

// preflight checks env once per Backend and environment: the image
// exists, bridged parents exist, given subnets are free, and (when the
// instance does not exist yet) forwarded host ports are free.
func (b *Backend) preflight(ctx context.Context, env *envfile.Environment) error {
	key := engine.Hash(env)
	b.preMu.Lock()
	pf, ok := b.pre[key]
	if !ok {
		pf = &preflight{done: make(chan struct{})}
		b.pre[key] = pf
		b.preMu.Unlock()
		pf.err = b.check(ctx, env)
		close(pf.done)
		if pf.err != nil {
			b.preMu.Lock()
			delete(b.pre, key) // a later up checks again
			b.preMu.Unlock()
		}
		return pf.err
	}
	b.preMu.Unlock()
	select {
	case <-pf.done:
		return pf.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *Backend) check(ctx context.Context, env *envfile.Environment) error {
	spec, err := specOf(env)
	if err != nil {
		return err
	}
	if _, err := b.resolveImage(ctx, env.Image); err != nil {
		return err
	}
	var errs []error
	for _, n := range networks(env) {
		switch {
		case n.Mode == envfile.NetworkBridged:
			errs = append(errs, b.checkParent(n))
		case n.Subnet != "":
			errs = append(errs, b.checkSubnet(ctx, env.Project, n))
		}
	}
	if inst, err := b.instance(env.Project); err != nil {
		errs = append(errs, err)
	} else if inst == nil && b.remote == "local" {
		for _, f := range spec.Ports {
			errs = append(errs, portFree(f))
		}
	}
	return errors.Join(errs...)
}

// portFree fails when the host port of f is taken.
func portFree(f portForward) error {
	addr := net.JoinHostPort(f.HostIP, itoa(f.Host))
	if f.Proto == "udp" {
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			return fmt.Errorf("lxc: service %q: host port %s/udp is in use (%v); free it or pick another host port", f.Service, addr, err)
		}
		return c.Close()
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("lxc: service %q: host port %s is in use (%v); free it or pick another host port", f.Service, addr, err)
	}
	return l.Close()
}

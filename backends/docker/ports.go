package docker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/hostport"
)

// hostIP is where a port is published: host_ip, else 127.0.0.1.
func hostIP(p envfile.Port) string {
	if p.HostIP == "" {
		return "127.0.0.1"
	}
	return p.HostIP
}

func protocol(p envfile.Port) string {
	if p.Protocol == "" {
		return "tcp"
	}
	return p.Protocol
}

// checkPorts fails, naming the port and who holds it when knowable, if a
// forwarded host port of s cannot be bound. Ports published by the
// project's own containers listed in skip are ignored.
func (b *Backend) checkPorts(ctx context.Context, s *envfile.Service, skip map[string]bool) error {
	if !b.localDaemon() {
		return nil // the ports are on another machine; Docker will tell
	}
	var errs []error
	for _, p := range s.Ports {
		if p.Host == 0 {
			continue
		}
		addr := net.JoinHostPort(hostIP(p), strconv.Itoa(p.Host))
		if skip[protocol(p)+"/"+addr] {
			continue
		}
		if err := probePort(protocol(p), addr); err != nil {
			errs = append(errs, fmt.Errorf("docker: service %q: host port %s/%s is not free: %s", s.Name, addr, protocol(p), b.portHolder(ctx, protocol(p), p.Host, err)))
		}
	}
	return errors.Join(errs...)
}

// portHolder says who holds a port: a container publishing it, else (as
// on lxc) the process owning the socket, else the bind error.
func (b *Backend) portHolder(ctx context.Context, proto string, port int, bindErr error) string {
	if cs, err := b.cli.ContainerList(ctx, container.ListOptions{}); err == nil {
		for _, c := range cs {
			for _, cp := range c.Ports {
				if int(cp.PublicPort) == port && cp.Type == proto {
					name := strings.TrimPrefix(firstOr(c.Names, c.ID[:12]), "/")
					if proj := c.Labels[LabelProject]; proj != "" {
						return fmt.Sprintf("it is published by container %s of devbox project %q (devbox down in that project frees it)", name, proj)
					}
					return fmt.Sprintf("it is published by container %s (docker stop %s frees it)", name, name)
				}
			}
		}
	}
	return hostport.Describe(proto, port, bindErr)
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

// probePort is hostport.Probe (kept for the package's tests).
func probePort(proto, addr string) error { return hostport.Probe(proto, addr) }

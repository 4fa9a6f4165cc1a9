package docker

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/envfile"
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

func probePort(proto, addr string) error {
	if proto == "udp" {
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			return err
		}
		return c.Close()
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return l.Close()
}

// portHolder says who holds a port: a container publishing it, else the
// process owning the socket (from /proc), else the bind error.
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
	if errors.Is(bindErr, syscall.EACCES) {
		return "permission denied (ports below 1024 need root)"
	}
	if pid, comm := socketOwner(proto, port); pid > 0 {
		return fmt.Sprintf("held by process %d (%s)", pid, comm)
	}
	if errors.Is(bindErr, syscall.EADDRINUSE) {
		return "held by another process (try: ss -ltnp 'sport = :" + strconv.Itoa(port) + "')"
	}
	return bindErr.Error()
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

// socketOwner finds the process with a socket bound to port, reading
// /proc/net/{tcp,tcp6,udp,udp6} and /proc/*/fd. It returns 0 when it
// cannot tell (another user's process, no /proc).
func socketOwner(proto string, port int) (int, string) {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/" + proto, "/proc/net/" + proto + "6"} {
		for _, ino := range socketInodes(f, port, proto == "tcp") {
			inodes[ino] = true
		}
	}
	if len(inodes) == 0 {
		return 0, ""
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		link, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			comm, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
			return pid, strings.TrimSpace(string(comm))
		}
	}
	return 0, ""
}

// socketInodes returns the inodes of sockets bound to port in a
// /proc/net/tcp-style file; for TCP only listening ones (state 0A).
func socketInodes(file string, port int, listenOnly bool) []string {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	want := fmt.Sprintf(":%04X", port)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 10 || !strings.HasSuffix(fs[1], want) {
			continue
		}
		if listenOnly && fs[3] != "0A" {
			continue
		}
		out = append(out, fs[9])
	}
	return out
}

package hostport

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Probe binds addr ("host:port") for proto ("tcp" or "udp") and releases
// it at once; the error says why it cannot be bound.
func Probe(proto, addr string) error {
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

// Describe says who holds port, for a message "host port X is not free:
// <Describe>": the process owning the socket when /proc tells, else what
// the bind error means.
func Describe(proto string, port int, bindErr error) string {
	if errors.Is(bindErr, syscall.EACCES) {
		return "permission denied (ports below 1024 need root)"
	}
	if pid, comm := Owner("/proc", proto, port); pid > 0 {
		return fmt.Sprintf("held by process %d (%s)", pid, comm)
	}
	if errors.Is(bindErr, syscall.EADDRINUSE) {
		flag := "-ltnp"
		if proto == "udp" {
			flag = "-lunp"
		}
		return fmt.Sprintf("held by another process (find it with: ss %s 'sport = :%d')", flag, port)
	}
	if bindErr == nil {
		return "held by another process"
	}
	return bindErr.Error()
}

// Owner finds the process with a socket bound to port under proc (the
// /proc mount): its pid and command name, or 0 when it cannot tell.
func Owner(proc, proto string, port int) (int, string) {
	inodes := map[string]bool{}
	for _, name := range []string{proto, proto + "6"} {
		f, err := os.Open(filepath.Join(proc, "net", name))
		if err != nil {
			continue
		}
		for _, ino := range Inodes(f, port, proto == "tcp") {
			inodes[ino] = true
		}
		f.Close()
	}
	if len(inodes) == 0 {
		return 0, ""
	}
	fds, _ := filepath.Glob(filepath.Join(proc, "[0-9]*", "fd", "*"))
	for _, fd := range fds {
		link, err := os.Readlink(fd)
		if err != nil {
			continue
		}
		if ino, ok := SocketInode(link); ok && inodes[ino] {
			dir := filepath.Dir(filepath.Dir(fd))
			pid, _ := strconv.Atoi(filepath.Base(dir))
			comm, _ := os.ReadFile(filepath.Join(dir, "comm"))
			return pid, strings.TrimSpace(string(comm))
		}
	}
	return 0, ""
}

// Inodes returns the inodes of the sockets bound to port in a
// /proc/net/tcp-style table; with listenOnly, only listening ones (TCP
// state 0A), so a client connection from that port does not count.
func Inodes(r io.Reader, port int, listenOnly bool) []string {
	var out []string
	sc := bufio.NewScanner(r)
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

// SocketInode reads an fd link such as "socket:[12345]".
func SocketInode(link string) (string, bool) {
	ino, ok := strings.CutPrefix(link, "socket:[")
	if !ok || !strings.HasSuffix(ino, "]") {
		return "", false
	}
	return strings.TrimSuffix(ino, "]"), true
}

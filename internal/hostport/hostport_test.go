package hostport

import (
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestInodes(t *testing.T) {
	for _, c := range []struct {
		file   string
		port   int
		listen bool
		want   []string
	}{
		{"tcp", 8080, true, []string{"111111"}},            // not the accepted connection 222222
		{"tcp", 8080, false, []string{"111111", "222222"}}, // not 444444, whose remote end is 8080
		{"tcp", 22, true, []string{"333333"}},
		{"tcp", 9999, true, nil},
		{"udp6", 5353, false, []string{"555555"}},
	} {
		f, err := os.Open(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		got := Inodes(f, c.port, c.listen)
		f.Close()
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s port %d listen=%v: %v, want %v", c.file, c.port, c.listen, got, c.want)
		}
	}
}

func TestSocketInode(t *testing.T) {
	if ino, ok := SocketInode("socket:[111111]"); !ok || ino != "111111" {
		t.Errorf("socket link: %q %v", ino, ok)
	}
	for _, l := range []string{"pipe:[1]", "/dev/null", "socket:[1"} {
		if _, ok := SocketInode(l); ok {
			t.Errorf("%q read as a socket", l)
		}
	}
}

// fakeProc is a /proc with the fixture tables and process 4242 (nc)
// holding socket 111111 on fd 3.
func fakeProc(t *testing.T) string {
	t.Helper()
	proc := t.TempDir()
	for _, dir := range []string{"net", "4242/fd", "17/fd"} {
		if err := os.MkdirAll(filepath.Join(proc, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"tcp", "udp6"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(proc, "net", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must(t, os.WriteFile(filepath.Join(proc, "4242/comm"), []byte("nc\n"), 0o644))
	must(t, os.Symlink("/dev/null", filepath.Join(proc, "17/fd/0")))
	must(t, os.Symlink("socket:[999]", filepath.Join(proc, "17/fd/1")))
	must(t, os.Symlink("socket:[111111]", filepath.Join(proc, "4242/fd/3")))
	return proc
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestOwner(t *testing.T) {
	proc := fakeProc(t)
	if pid, comm := Owner(proc, "tcp", 8080); pid != 4242 || comm != "nc" {
		t.Errorf("owner of 8080/tcp: %d %q, want 4242 nc", pid, comm)
	}
	if pid, _ := Owner(proc, "tcp", 22); pid != 0 {
		t.Errorf("owner of 22/tcp (no process has its socket): %d", pid)
	}
	if pid, _ := Owner(proc, "udp", 8080); pid != 0 {
		t.Errorf("owner of 8080/udp: %d", pid)
	}
}

// TestDescribeOwnListener: a listener this test opens is named as held by
// this process, on the real /proc.
func TestDescribeOwnListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().(*net.TCPAddr)
	bindErr := Probe("tcp", addr.String())
	if bindErr == nil {
		t.Fatal("probe of a held port succeeded")
	}
	got := Describe("tcp", addr.Port, bindErr)
	if !strings.HasPrefix(got, "held by process "+itoa(os.Getpid())+" (") {
		t.Errorf("describe: %q, want this process (%d)", got, os.Getpid())
	}
	if got := Describe("tcp", 80, syscall.EACCES); !strings.Contains(got, "permission denied") {
		t.Errorf("EACCES: %q", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

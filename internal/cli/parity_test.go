package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/backends"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestFaultSameFaultSameExit: the same bad input fails up the same way on
// both engines, before anything is created: a forwarded host port held by
// a listener of this test exits 2 naming this process, with the same
// words on both; a given subnet that clashes with a host network exits 2.
func TestFaultSameFaultSameExit(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	clash := hostSubnet(t)
	holder := fmt.Sprintf("held by process %d (", os.Getpid())
	portMsg := map[string]string{}
	for _, backend := range engineNames() {
		t.Run(backend, func(t *testing.T) {
			requireEngine(t, backend)
			t.Setenv("DEVBOX_NO_NAT", "1")
			project := testenv.Project(t, "parity-"+backend)
			dir := t.TempDir()
			t.Cleanup(func() { realRun(t, os.Getenv, "-C", dir, "destroy", "--volumes") })

			writeFile(t, dir, fmt.Sprintf(`project = %q
backend = %q
image   = "debian/12"
service "web" {
  command = ["sleep", "infinity"]
  port "http" {
    port = 8080
    host = %d
  }
}
`, project, backend, port))
			code, out, errs := realRun(t, os.Getenv, "-C", dir, "up")
			if code != ExitBadInput || !strings.Contains(errs, holder) {
				t.Errorf("up with host port %d taken: exit %d, want %d naming %q\n%s%s", port, code, ExitBadInput, holder, out, errs)
			}
			t.Logf("port taken, %s says: %s", backend, errs)
			portMsg[backend] = portLine(errs, backend)
			nothingCreated(t, backend, project)

			writeFile(t, dir, fmt.Sprintf(`project = %q
backend = %q
image   = "debian/12"
network "lan" {
  mode   = "isolated"
  subnet = %q
}
service "web" {
  command  = ["sleep", "infinity"]
  networks = ["lan"]
}
`, project, backend, clash))
			code, out, errs = realRun(t, os.Getenv, "-C", dir, "up")
			if code != ExitBadInput || !strings.Contains(errs, `network "lan": subnet `+clash) {
				t.Errorf("up with subnet %s (in use on the host): exit %d, want %d naming the network and subnet\n%s%s", clash, code, ExitBadInput, out, errs)
			}
			t.Logf("subnet clash, %s says: %s", backend, errs)
			nothingCreated(t, backend, project)
		})
	}
	if len(portMsg) == len(engineNames()) {
		first := portMsg[engineNames()[0]]
		for _, name := range engineNames()[1:] {
			if portMsg[name] != first {
				t.Errorf("taken port worded differently:\n%s: %s\n%s: %s", engineNames()[0], first, name, portMsg[name])
			}
		}
	}
}

// portLine is the line of errs about the taken port, without the engine's
// "<name>: " prefix.
func portLine(errs, backend string) string {
	for _, line := range strings.Split(errs, "\n") {
		if i := strings.Index(line, backend+": service "); i >= 0 && strings.Contains(line, "host port") {
			return line[i+len(backend)+2:]
		}
	}
	return ""
}

func writeFile(t *testing.T, dir, hcl string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "devbox.hcl"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
}

// nothingCreated fails t when the engine has any object of project.
func nothingCreated(t *testing.T, backend, project string) {
	t.Helper()
	ctx := context.Background()
	b, err := backends.Registry().Open(ctx, backend, &envfile.Environment{Project: project, LXC: envfile.LXCConfig{Remote: "local"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	obs, err := b.Observe(ctx, project)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) > 0 {
		t.Errorf("a failed preflight left %d objects of %s: %+v", len(obs), project, obs)
	}
	// Observe does not report the scale record (docker: a labelled volume).
	if rec, ok := b.(engine.ScaleRecorder); ok {
		if s, err := rec.Scales(ctx, &envfile.Environment{Project: project}); err != nil || len(s) > 0 {
			t.Errorf("the scale record of %s is left: %v %v", project, s, err)
		}
	}
}

// hostSubnet is the IPv4 network of a lasting host interface (not
// loopback, nor a bridge or veth other tests make and remove): a subnet
// both engines must refuse.
func hostSubnet(t *testing.T) string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 || i.Flags&net.FlagUp == 0 ||
			strings.HasPrefix(i.Name, "devbox-") || strings.HasPrefix(i.Name, "veth") || strings.HasPrefix(i.Name, "br-") {
			continue
		}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
				return (&net.IPNet{IP: n.IP.Mask(n.Mask), Mask: n.Mask}).String()
			}
		}
	}
	testenv.Missing(t, "no host interface with an IPv4 network")
	return ""
}

package docker

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestBridgedNetworkIsMacvlanOnParent: a bridged network becomes a macvlan
// on the parent interface (a bridge link the test makes, with no uplink, so
// nothing leaves the machine) and the service gets an address from the
// given subnet there; a missing parent is a clear error.
func TestBridgedNetworkIsMacvlanOnParent(t *testing.T) {
	b := newBackend(t)
	parent := fmt.Sprintf("dvbx%d", os.Getpid()%100000)
	if out, err := exec.Command("ip", "link", "add", parent, "type", "bridge").CombinedOutput(); err != nil {
		testenv.Missing(t, "cannot make a bridge interface here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", parent).Run() })
	if out, err := exec.Command("ip", "link", "set", parent, "up").CombinedOutput(); err != nil {
		t.Fatalf("link up: %v %s", err, out)
	}
	p := project(t, b, "dkbr")
	env := &envfile.Environment{
		Project: p, Image: "debian/12",
		Networks: []envfile.Network{{Name: "office", Mode: envfile.NetworkBridged, Parent: parent, Subnet: "10.250.77.0/24"}},
		Services: []envfile.Service{{Name: "app", Command: []string{"sleep", "infinity"}, Networks: []string{"office"}, Restart: "no"}},
	}
	mustUp(t, b, env)
	out, code := execOut(t, b, env, "app", "ip", "-4", "-o", "addr")
	if code != 0 || !strings.Contains(out, "10.250.77.") {
		t.Errorf("service has no address on the bridged subnet (exit %d):\n%s", code, out)
	}
	n, err := b.cli.NetworkInspect(t.Context(), NetworkName(p, "office"), networkInspectOpts())
	if err != nil {
		t.Fatal(err)
	}
	if n.Driver != "macvlan" || n.Options["parent"] != parent {
		t.Errorf("network driver %q parent %q, want macvlan on %s", n.Driver, n.Options["parent"], parent)
	}

	missing := &envfile.Environment{
		Project: p + "x", Image: "debian/12",
		Networks: []envfile.Network{{Name: "office", Mode: envfile.NetworkBridged, Parent: "nosuchif0", Subnet: "10.250.78.0/24"}},
		Services: []envfile.Service{{Name: "app", Command: []string{"sleep", "infinity"}, Networks: []string{"office"}}},
	}
	t.Cleanup(func() { destroy(t, b, p+"x", true) })
	if _, err := up(t, b, missing); err == nil || !strings.Contains(err.Error(), "nosuchif0") {
		t.Errorf("missing parent: err = %v, want an error naming nosuchif0", err)
	}
}

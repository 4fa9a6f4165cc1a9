package backends

import (
	"slices"
	"strings"
	"testing"
)

// TestRegistry: lxc is the default, and every entry gives doctor what it
// needs to say how to install and start the engine.
func TestRegistry(t *testing.T) {
	r := Registry()
	if got := r.Names(); !slices.Equal(got, []string{"lxc", "docker"}) {
		t.Fatalf("Names = %v, want lxc (the default), docker", got)
	}
	for _, b := range r {
		if b.Open == nil || b.Installed == nil || b.Daemon == "" ||
			!strings.HasPrefix(b.Install, "apt-get install ") || !strings.HasPrefix(b.Start, "systemctl start ") {
			t.Errorf("%s: incomplete entry %+v", b.Name, b)
		}
	}
}

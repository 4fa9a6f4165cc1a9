package lxc

import (
	"slices"
	"testing"

	"github.com/lxc/incus/v6/shared/api"
)

// TestProjectOf: the project, dir and units come from the instance's
// keys; an instance of no project, or one made before keyDir, says so.
func TestProjectOf(t *testing.T) {
	inst := &api.Instance{InstancePut: api.InstancePut{Config: map[string]string{
		keyProject: "p", keyDir: "/src/p", keyService + "web": "h1", keyService + "db": "h2", keyHealth + "db": "1", keyHash: "x",
	}}}
	p, units := projectOf(inst)
	if p.Project != "p" || p.Dir != "/src/p" || p.Total != 2 || !slices.Equal(units, []string{"devbox-db.service", "devbox-web.service"}) {
		t.Errorf("projectOf = %+v %v", p, units)
	}
	p, _ = projectOf(&api.Instance{InstancePut: api.InstancePut{Config: map[string]string{keyProject: "old"}}})
	if p.Dir != "" || p.State != "stopped" {
		t.Errorf("old instance: %+v, want no dir, stopped", p)
	}
	if p, _ := projectOf(&api.Instance{}); p.Project != "" {
		t.Errorf("a foreign instance is project %q", p.Project)
	}
}

func TestCountActive(t *testing.T) {
	if n := countActive("active\ninactive\nreloading\nfailed\nactivating\n"); n != 2 {
		t.Errorf("countActive = %d, want 2 (active, reloading)", n)
	}
}

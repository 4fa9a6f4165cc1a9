package docker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/envfile"
)

// TestCopyStoppedAndMissing: on the real daemon, a stopped service's
// container is copied into and out of (as docker cp does); a destination
// whose directory is absent, a missing source and an unknown service are
// clear errors; ListProjects counts the stopped container and reads the
// directory label.
func TestCopyStoppedAndMissing(t *testing.T) {
	b := newBackend(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p := project(t, b, "lsp-dkcp")
	dir := t.TempDir()
	env := &envfile.Environment{Project: p, Image: debianImage, Dir: dir,
		Services: []envfile.Service{{Name: "box", Command: []string{"sleep", "infinity"}}}}
	mustUp(t, b, env)
	if err := b.cli.ContainerStop(ctx, ContainerName(p, "box"), container.StopOptions{}); err != nil {
		t.Fatal(err)
	}
	src := writeFile(t, t.TempDir(), "note.txt", "stopped copy")
	if err := b.CopyTo(ctx, env, "box", src, "/root/"); err != nil {
		t.Fatalf("CopyTo a stopped container: %v", err)
	}
	out := t.TempDir()
	if err := b.CopyFrom(ctx, env, "box", "root/note.txt", out); err != nil {
		t.Fatalf("CopyFrom a stopped container: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(out, "note.txt")); err != nil || string(got) != "stopped copy" {
		t.Errorf("copied back: %q %v", got, err)
	}
	for name, err := range map[string]error{
		"the directory /no/such does not exist":    b.CopyTo(ctx, env, "box", src, "/no/such/x"),
		"no such file or directory in the service": b.CopyFrom(ctx, env, "box", "/no/such", out),
		"source lstat":      b.CopyTo(ctx, env, "box", filepath.Join(out, "absent"), "/root"),
		`no service "nope"`: b.CopyTo(ctx, env, "nope", src, "/root"),
	} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("want an error with %q, got %v", name, err)
		}
	}
	list, err := b.ListProjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, pi := range list {
		if pi.Project == p {
			found = true
			if pi.State != "stopped" || pi.Running != 0 || pi.Total != 1 || pi.Dir != dir {
				t.Errorf("ListProjects: %+v, want stopped 0/1 in %s", pi, dir)
			}
		}
	}
	if !found {
		t.Errorf("ListProjects lacks %s: %+v", p, list)
	}
}

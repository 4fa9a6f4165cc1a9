package lxc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// listing describes a directory tree: path, uid, size, content.
func listing(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("find", dir, "-printf", "%P %U:%G %m %s\n").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestMountsAndVolumes(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	dir := filepath.Join(t.TempDir(), "src")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "host.txt"), []byte("from host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, filepath.Join(dir, "host.txt")} {
		if err := os.Chown(p, 1234, 1234); err != nil {
			t.Fatal(err)
		}
	}
	env := &envfile.Environment{Project: testenv.Project(t, "lxmnt"), Image: "debian/12",
		Mounts:  []envfile.Mount{{Name: "src", Source: dir, Target: "/srv/src"}},
		Volumes: []envfile.Volume{{Name: "data"}},
		Services: []envfile.Service{{Name: "app", Command: []string{"sleep", "infinity"},
			Mounts: []string{"src"}, Volumes: map[string]string{"data": "/data"}}},
	}
	cleanup(t, b, env)
	up(t, b, env)
	inst := InstanceName(env.Project)

	// The host user's files show with the host uid; files written by that
	// uid in the container belong to it on the host.
	if out, err := b.output(ctx, inst, "stat", "-c", "%u:%g", "/srv/src/host.txt"); err != nil || strings.TrimSpace(out) != "1234:1234" {
		t.Errorf("host.txt in the container: %q, %v", out, err)
	}
	code, err := b.run(ctx, inst, execReq{Cmd: []string{"/bin/sh", "-c", "echo hi >/srv/src/made-inside.txt"}, UID: 1234, GID: 1234})
	if err != nil || code != 0 {
		t.Fatalf("write through the mount: %d, %v", code, err)
	}
	fi, err := os.Stat(filepath.Join(dir, "made-inside.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 1234 || st.Gid != 1234 {
		t.Errorf("file written in the container has uid %d:%d on the host, want 1234:1234", st.Uid, st.Gid)
	}
	if _, err := b.output(ctx, inst, "/bin/sh", "-c", "echo kept >/data/keep.txt"); err != nil {
		t.Fatal(err)
	}

	// destroy leaves the mounted directory as it was and keeps the volume.
	before := listing(t, dir)
	destroy(t, b, env, false)
	if after := listing(t, dir); after != before {
		t.Errorf("destroy changed the mounted directory:\n%s\n->\n%s", before, after)
	}
	observed, err := b.Observe(ctx, env.Project)
	if err != nil || len(observed) != 1 || observed[0].Kind != engine.KindVolume {
		t.Fatalf("after destroy: %v, %v", observed, err)
	}
	up(t, b, env)
	if out, err := b.output(ctx, inst, "cat", "/data/keep.txt"); err != nil || out != "kept\n" {
		t.Errorf("volume data after destroy and up: %q, %v", out, err)
	}

	// destroy --volumes takes the volume with it.
	destroy(t, b, env, true)
	pool, _ := b.pool(ctx)
	if _, _, err := b.c.GetStoragePoolVolume(pool, "custom", VolumeName(env.Project, "data")); !api.StatusErrorCheck(err, 404) {
		t.Errorf("volume after destroy --volumes: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "host.txt")); err != nil {
		t.Errorf("destroy --volumes touched the mount: %v", err)
	}
}

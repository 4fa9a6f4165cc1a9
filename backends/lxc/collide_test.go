package lxc

import (
	"strings"
	"testing"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// volEnv is project's one service with volume vol at /data.
func volEnv(project, vol string) *envfile.Environment {
	return &envfile.Environment{Project: project, Image: "debian/12",
		Networks: []envfile.Network{{Name: "lan", Mode: envfile.NetworkIsolated}},
		Volumes:  []envfile.Volume{{Name: vol}},
		Services: []envfile.Service{{Name: "app", Command: []string{"sleep", "infinity"}, Networks: []string{"lan"},
			Volumes: map[string]string{vol: "/data"}}}}
}

// TestVolumeNamesDoNotCollide: project P's volume x-data and project P-x's
// volume data were one Incus volume (P-x-data); destroying the second
// with its volumes deleted the first's data. Now each has its own.
func TestVolumeNamesDoNotCollide(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	p := testenv.Project(t, "lxcol")
	first, second := volEnv(p, "x-data"), volEnv(p+"-x", "data")
	cleanup(t, b, first)
	cleanup(t, b, second)
	up(t, b, first)
	if _, err := b.output(ctx, InstanceName(first.Project), "/bin/sh", "-c", "echo mine >/data/f"); err != nil {
		t.Fatal(err)
	}
	up(t, b, second)
	if out, _ := b.output(ctx, InstanceName(second.Project), "/bin/sh", "-c", "cat /data/f 2>/dev/null || echo none"); out != "none\n" {
		t.Errorf("the second project sees the first one's volume: %q", out)
	}
	destroy(t, b, second, true)
	if out, err := b.output(ctx, InstanceName(first.Project), "cat", "/data/f"); err != nil || out != "mine\n" {
		t.Errorf("the first project's data after the second's destroy --volumes: %q, %v", out, err)
	}
}

// TestLegacyVolumeIsKept: a volume made under the old <project>-<volume>
// name, labelled as this one, is used (its data kept), not replaced.
func TestLegacyVolumeIsKept(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	env := volEnv(testenv.Project(t, "lxleg"), "data")
	cleanup(t, b, env)
	pool, err := b.pool(ctx)
	if err != nil {
		t.Fatal(err)
	}
	legacy := legacyVolumeName(env.Project, "data")
	err = b.c.CreateStoragePoolVolume(pool, api.StorageVolumesPost{Name: legacy, Type: "custom", ContentType: "filesystem",
		StorageVolumePut: api.StorageVolumePut{Config: map[string]string{keyProject: env.Project, keyName: "data"}}})
	if err != nil {
		t.Fatal(err)
	}
	up(t, b, env)
	if _, err := b.output(ctx, InstanceName(env.Project), "/bin/sh", "-c", "echo old >/data/f"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.c.GetStoragePoolVolume(pool, "custom", VolumeName(env.Project, "data")); !api.StatusErrorCheck(err, 404) {
		t.Errorf("a new volume was made beside the legacy one: %v", err)
	}
	destroy(t, b, env, true)
	if _, _, err := b.c.GetStoragePoolVolume(pool, "custom", legacy); !api.StatusErrorCheck(err, 404) {
		t.Errorf("destroy --volumes left the legacy volume: %v", err)
	}
}

// TestForeignInstanceIsNotDeleted: an instance named devbox-<project> that
// devbox did not make is left alone; up says what is in the way.
func TestForeignInstanceIsNotDeleted(t *testing.T) {
	b := newBackend(t)
	env := volEnv(testenv.Project(t, "lxfor"), "data")
	name := InstanceName(env.Project)
	img, err := b.localImage("debian/12")
	if err != nil {
		t.Fatal(err)
	}
	req := api.InstancesPost{Name: name, Type: api.InstanceTypeContainer,
		Source: api.InstanceSource{Type: "image", Fingerprint: img.Fingerprint}}
	if err := wait(b.c.CreateInstance(req)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.deleteInstance(testCtx(t), name) })
	cleanup(t, b, env)
	desired, _ := b.Desired(env)
	observed, _ := b.Observe(testCtx(t), env.Project)
	err = engine.Apply(testCtx(t), b, env, engine.Up(env.Project, "lxc", desired, observed), nil)
	if err == nil || !strings.Contains(err.Error(), "devbox did not make it") || !strings.Contains(err.Error(), "incus delete --force "+name) {
		t.Errorf("up over a foreign instance: %v", err)
	}
	if _, _, err := b.c.GetInstance(name); err != nil {
		t.Errorf("the foreign instance is gone: %v", err)
	}
}

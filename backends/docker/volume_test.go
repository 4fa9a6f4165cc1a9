package docker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/volume"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// TestVolumeLifecycle: down then up keeps a named volume's data, destroy
// keeps the volume, destroy --volumes removes it; the bind-mounted
// directory's files are untouched by all three.
func TestVolumeLifecycle(t *testing.T) {
	b := newBackend(t)
	ctx := context.Background()
	p := project(t, b, "dkvol")
	dir := t.TempDir()
	hostFile := writeFile(t, dir, "keep.txt", "user data\n")
	env := &envfile.Environment{Project: p, Image: debianImage,
		Mounts:  []envfile.Mount{{Name: "src", Source: dir, Target: "/src"}},
		Volumes: []envfile.Volume{{Name: "data"}},
		Services: []envfile.Service{{Name: "app", Command: []string{"sleep", "infinity"},
			Volumes: map[string]string{"data": "/data"}, Mounts: []string{"src"}}},
	}
	checkHost := func(when string) {
		t.Helper()
		b, err := os.ReadFile(hostFile)
		if err != nil || string(b) != "user data\n" {
			t.Errorf("%s: bind-mounted file: %q %v", when, b, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "from-container.txt")); err != nil {
			t.Errorf("%s: file the container wrote into the bind mount: %v", when, err)
		}
	}
	volumeExists := func() bool {
		_, err := b.cli.VolumeInspect(ctx, VolumeName(p, "data"))
		if err != nil && !notFound(err) {
			t.Fatal(err)
		}
		return err == nil
	}
	apply := func(plan engine.Plan) {
		t.Helper()
		if err := engine.Apply(ctx, b, env, plan, testProgress(t)); err != nil {
			t.Fatal(err)
		}
	}
	observe := func() []engine.Resource {
		obs, err := b.Observe(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return obs
	}
	readData := func(when string) {
		t.Helper()
		if out, code := execOut(t, b, env, "app", "cat", "/data/f"); out != "kept\n" || code != 0 {
			t.Errorf("%s: /data/f = %q (exit %d)", when, out, code)
		}
	}

	mustUp(t, b, env)
	if out, code := execOut(t, b, env, "app", "sh", "-c", "echo kept > /data/f && echo hi > /src/from-container.txt && cat /src/keep.txt"); code != 0 || out != "user data\n" {
		t.Fatalf("write: %q %d", out, code)
	}

	apply(engine.Down(p, "docker", observe()))
	for _, o := range observe() {
		if o.Kind == engine.KindService && o.State != engine.StateStopped {
			t.Errorf("after down: %+v", o)
		}
	}
	checkHost("down")
	plan := mustUp(t, b, env)
	if ops(plan)["service/app"] != string(engine.OpStart) {
		t.Errorf("up after down: %v", ops(plan))
	}
	readData("down+up")

	apply(engine.Destroy(p, "docker", observe(), false))
	if !volumeExists() {
		t.Fatal("destroy removed the volume")
	}
	checkHost("destroy")
	for _, o := range observe() {
		if o.Kind != engine.KindVolume {
			t.Errorf("after destroy: %+v left", o)
		}
	}
	mustUp(t, b, env)
	readData("destroy+up")

	apply(engine.Destroy(p, "docker", observe(), true))
	if volumeExists() {
		t.Error("destroy --volumes kept the volume")
	}
	if obs := observe(); len(obs) != 0 {
		t.Errorf("after destroy --volumes: %+v", obs)
	}
	checkHost("destroy --volumes")
}

// TestDownIsQuick: a service that installs no SIGTERM handler stops at
// once (an init forwards the signal), not after the stop timeout.
func TestDownIsQuick(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkdown")
	env := &envfile.Environment{Project: p, Image: debianImage, Services: []envfile.Service{
		{Name: "py", Command: []string{"python3", "-c", "import time\nwhile True: time.sleep(1)"}},
	}}
	mustUp(t, b, env)
	ctx := context.Background()
	obs, _ := b.Observe(ctx, p)
	start := time.Now()
	if err := engine.Apply(ctx, b, env, engine.Down(p, "docker", obs), nil); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("down took %s", d)
	}
}

// TestForeignVolumeIsRefused: an unlabelled volume of the name devbox would
// use (a compose project's, say) is not adopted silently: up fails saying
// so, and the volume and its data are left as they were.
func TestForeignVolumeIsRefused(t *testing.T) {
	b := newBackend(t)
	ctx := context.Background()
	p := project(t, b, "dkfor")
	name := VolumeName(p, "data")
	if _, err := b.cli.VolumeCreate(ctx, volume.CreateOptions{Name: name}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.cli.VolumeRemove(context.Background(), name, true) })
	env := &envfile.Environment{Project: p, Image: debianImage, Volumes: []envfile.Volume{{Name: "data"}},
		Services: []envfile.Service{{Name: "app", Command: []string{"sleep", "infinity"}, Volumes: map[string]string{"data": "/data"}}}}
	if _, err := up(t, b, env); err == nil || !strings.Contains(err.Error(), "devbox did not make it") {
		t.Errorf("up over a foreign volume: %v", err)
	}
	if _, err := b.cli.VolumeInspect(ctx, name); err != nil {
		t.Errorf("the foreign volume is gone: %v", err)
	}
}

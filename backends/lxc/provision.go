package lxc

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
)

// layerKeys are the cache keys of the provisioning layers: [0] after the
// packages, [i] after step i. Each covers the base image's fingerprint,
// the packages and the steps so far. Pure.
func layerKeys(fingerprint string, spec hostSpec) []string {
	keys := make([]string, len(spec.Steps)+1)
	for i := range keys {
		keys[i] = engine.Hash("layer", fingerprint, spec.Packages, spec.Steps[:i])
	}
	return keys
}

// cachedLayer finds the longest cached prefix: the index of its last layer
// (-1 for none) and the image's fingerprint.
func (b *Backend) cachedLayer(keys []string) (int, string) {
	for i := len(keys) - 1; i >= 0; i-- {
		if a, _, err := b.c.GetImageAlias(cachePrefix + keys[i]); err == nil {
			return i, a.Target
		}
	}
	return -1, ""
}

// provision installs packages and runs the steps after layer done,
// publishing a cache layer after each. Layer 0 is published even without
// packages: an uncompressed local copy of the base starts several times
// faster than the (compressed) base image.
func (b *Backend) provision(ctx context.Context, r engine.Resource, spec hostSpec, keys []string, done int, p engine.Progress) error {
	name := r.Name
	if done < 0 {
		if len(spec.Packages) > 0 {
			p(engine.Event{Ref: r.Ref(), Status: "packages: " + strings.Join(spec.Packages, " ")})
			if err := b.installPackages(ctx, name, spec.Packages); err != nil {
				return err
			}
		}
		if err := b.publishLayer(ctx, name, keys[0], spec, 0); err != nil {
			return err
		}
	}
	for i := max(done, 0) + 1; i < len(keys); i++ {
		step := spec.Steps[i-1]
		p(engine.Event{Ref: r.Ref(), Status: fmt.Sprintf("step %d/%d: %s", i, len(spec.Steps), firstLine(step))})
		var out bytes.Buffer
		code, err := b.run(ctx, name, execReq{
			Cmd: []string{"/bin/sh", "-ec", step}, Cwd: "/root",
			Env:    map[string]string{"DEBIAN_FRONTEND": "noninteractive", "HOME": "/root"},
			Stdout: &out, Stderr: &out,
		})
		if err != nil {
			return fmt.Errorf("lxc: provision step %d %q: %w", i, firstLine(step), err)
		}
		if code != 0 {
			return fmt.Errorf("lxc: provision step %d %q exited %d:\n%s", i, firstLine(step), code, lastLines(out.String(), 15))
		}
		if err := b.publishLayer(ctx, name, keys[i], spec, i); err != nil {
			return err
		}
	}
	return nil
}

// installPackages installs what is missing with the image's package
// manager; nothing missing means no package manager run at all (offline
// builds work from a base that has everything).
func (b *Backend) installPackages(ctx context.Context, name string, pkgs []string) error {
	const script = `
if command -v apt-get >/dev/null; then
  missing=; for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -z "$missing" ] && exit 0
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q --no-install-recommends $missing
elif command -v dnf >/dev/null; then
  missing=; for p in "$@"; do rpm -q "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -z "$missing" ] && exit 0
  dnf install -y $missing
elif command -v apk >/dev/null; then
  missing=; for p in "$@"; do apk info -e "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -z "$missing" ] && exit 0
  apk add --no-cache $missing
else
  echo "no apt-get, dnf or apk in the image" >&2; exit 3
fi`
	var out bytes.Buffer
	code, err := b.run(ctx, name, execReq{Cmd: append([]string{"/bin/sh", "-c", script, "sh"}, pkgs...), Stdout: &out, Stderr: &out})
	if err != nil {
		return fmt.Errorf("lxc: install packages: %w", err)
	}
	if code != 0 {
		return fmt.Errorf("lxc: install packages %s exited %d:\n%s", strings.Join(pkgs, " "), code, lastLines(out.String(), 15))
	}
	return nil
}

// publishLayer snapshots the instance and publishes the snapshot as the
// cached image devbox-cache/<key> (uncompressed: it never leaves the host).
func (b *Backend) publishLayer(ctx context.Context, name, key string, spec hostSpec, steps int) error {
	snap := "devbox-layer"
	_ = wait(b.c.DeleteInstanceSnapshot(name, snap)) // leftover
	if err := wait(b.c.CreateInstanceSnapshot(name, api.InstanceSnapshotsPost{Name: snap})); err != nil {
		return fmt.Errorf("lxc: snapshot %q for the layer cache: %w", name, err)
	}
	defer func() { _ = wait(b.c.DeleteInstanceSnapshot(name, snap)) }()
	req := api.ImagesPost{
		Source:               &api.ImagesPostSource{Type: "snapshot", Name: name + "/" + snap},
		CompressionAlgorithm: "none",
		ImagePut: api.ImagePut{Properties: map[string]string{
			"description":   fmt.Sprintf("devbox cache: %s + %d package(s) + %d step(s)", spec.Image, len(spec.Packages), steps),
			"devbox.cache":  key,
			"devbox.base":   spec.Image,
			"devbox.steps":  itoa(steps),
			"devbox.create": time.Now().UTC().Format(time.RFC3339),
		}},
	}
	op, err := b.c.CreateImage(req, nil)
	if err == nil {
		err = op.Wait()
	}
	if err != nil {
		return fmt.Errorf("lxc: publish cache layer %s: %w", key, err)
	}
	fp, _ := op.Get().Metadata["fingerprint"].(string)
	err = b.c.CreateImageAlias(api.ImageAliasesPost{ImageAliasesEntry: api.ImageAliasesEntry{
		Name: cachePrefix + key, Type: "container", ImageAliasesEntryPut: api.ImageAliasesEntryPut{Target: fp}}})
	if err != nil && !api.StatusErrorCheck(err, 409) {
		return fmt.Errorf("lxc: alias cache layer %s: %w", key, err)
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

package lxc

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/provision"
	"github.com/devbox-dev/devbox/proxy"
)

// layerKeys are the cache keys of the provisioning layers: [0] after the
// packages, [i] after step i. Each covers the base image's fingerprint,
// the packages and the steps so far. Pure.
func layerKeys(fingerprint string, spec hostSpec) []string {
	keys := make([]string, len(spec.Steps)+1)
	for i := range keys {
		// Non-nil lists: no packages or steps hash alike however the spec
		// was built, so such files share their layers.
		keys[i] = engine.Hash("layer", fingerprint, append([]string{}, spec.Packages...), append([]string{}, spec.Steps[:i]...))
	}
	return keys
}

// cachedLayer finds the longest cached prefix: the index of its last layer
// (-1 for none) and the image's fingerprint. With no layer of its own, a
// packages layer of the same base with a subset of spec's packages is
// returned as a start (index -1: the install still runs, and installs only
// what that layer lacks), so adding a package installs one package.
func (b *Backend) cachedLayer(spec hostSpec, keys []string) (int, string) {
	for i := len(keys) - 1; i >= 0; i-- {
		if a, _, err := b.c.GetImageAlias(cachePrefix + keys[i]); err == nil {
			return i, a.Target
		}
	}
	if spec.BaseFP == "" || len(spec.Packages) == 0 {
		return -1, ""
	}
	imgs, err := b.c.GetImages()
	if err != nil {
		return -1, ""
	}
	return -1, subsetLayer(imgs, spec.BaseFP, spec.Packages)
}

// subsetLayer picks, among cached packages layers (step 0) of base, the
// one with the most packages that are all in want. Pure.
func subsetLayer(imgs []api.Image, base string, want []string) string {
	wanted := map[string]bool{}
	for _, p := range want {
		wanted[p] = true
	}
	best, most := "", 0
	for _, img := range imgs {
		pr := img.Properties
		if pr["devbox.cache"] == "" || pr["devbox.fingerprint"] != base || pr["devbox.steps"] != "0" {
			continue
		}
		have := strings.Fields(pr["devbox.packages"])
		ok := len(have) > most
		for _, p := range have {
			ok = ok && wanted[p]
		}
		if ok {
			best, most = img.Fingerprint, len(have)
		}
	}
	return best
}

// provision installs packages and runs the steps after layer done,
// publishing a cache layer after each. Layer 0 is published even without
// packages: an uncompressed local copy of the base starts several times
// faster than the (compressed) base image. px, the user's proxy, reaches
// the installs and steps only (see provisionProxy).
func (b *Backend) provision(ctx context.Context, r engine.Resource, spec hostSpec, keys []string, done int, px proxy.Settings, p engine.Progress) (err error) {
	name := r.Name
	install := done < 0 && len(spec.Packages) > 0
	var penv map[string]string
	if install || done+1 < len(keys) {
		b.waitNetwork(ctx, name)
		var release func() error
		progress := func(e engine.Event) { e.Ref = r.Ref(); p(e) }
		if penv, release, err = b.provisionProxy(ctx, name, px, progress); err != nil {
			return err
		}
		defer func() {
			if rerr := release(); err == nil {
				err = rerr
			}
		}()
	}
	if done < 0 {
		if install {
			p(engine.Event{Ref: r.Ref(), Status: "packages: " + strings.Join(spec.Packages, " ")})
			if err := b.installPackages(ctx, name, spec.Packages, penv); err != nil {
				return err
			}
		}
		if err := b.publishLayer(ctx, name, keys[0], spec, 0); err != nil {
			return err
		}
	}
	for i := max(done, 0) + 1; i < len(keys); i++ {
		if err := b.runStep(ctx, r, spec, i, penv, p); err != nil {
			return err
		}
		if err := b.publishLayer(ctx, name, keys[i], spec, i); err != nil {
			return err
		}
	}
	return nil
}

// runStep runs provision step i (1-based) as root in /root, with env
// (the proxy) added.
func (b *Backend) runStep(ctx context.Context, r engine.Resource, spec hostSpec, i int, env map[string]string, p engine.Progress) error {
	step := spec.Steps[i-1]
	p(engine.Event{Ref: r.Ref(), Status: fmt.Sprintf("step %d/%d: %s", i, len(spec.Steps), firstLine(step))})
	vars := map[string]string{"DEBIAN_FRONTEND": "noninteractive", "HOME": "/root"}
	for k, v := range env {
		vars[k] = v
	}
	var out bytes.Buffer
	code, err := b.run(ctx, r.Name, execReq{Cmd: []string{"/bin/sh", "-ec", step}, Cwd: "/root", Env: vars, Stdout: &out, Stderr: &out})
	if err != nil {
		return fmt.Errorf("lxc: provision step %d %q: %w", i, firstLine(step), err)
	}
	if code != 0 {
		return fmt.Errorf("lxc: provision step %d %q exited %d:\n%s", i, firstLine(step), code, lastLines(out.String(), 15))
	}
	return nil
}

// installPackages installs what is missing with the image's package
// manager (provision.PackagesScript, as on docker), env (the proxy) in
// its environment.
func (b *Backend) installPackages(ctx context.Context, name string, pkgs []string, env map[string]string) error {
	var out bytes.Buffer
	code, err := b.run(ctx, name, execReq{Cmd: []string{"/bin/sh", "-c", provision.PackagesScript(pkgs)}, Env: env, Stdout: &out, Stderr: &out})
	if err != nil {
		return fmt.Errorf("lxc: install packages: %w", err)
	}
	if code != 0 {
		return fmt.Errorf("lxc: install packages %s exited %d:\n%s", strings.Join(pkgs, " "), code, lastLines(out.String(), 15))
	}
	return nil
}

// waitNetwork gives the network a moment before provisioning: systemd is
// ready to start units before the boot has brought networkd, resolved and
// DHCP up, and package managers need them. It waits at most 30 s for the
// network.target and nss-lookup.target jobs to finish and, with a NIC,
// for a default route, then goes on regardless (a NIC without DHCP, say:
// the install says what is wrong). Nothing waits on a loopback-only
// instance beyond those jobs.
func (b *Backend) waitNetwork(ctx context.Context, name string) {
	const script = `i=0
while [ $i -lt 120 ]; do
  i=$((i+1))
  if command -v systemctl >/dev/null && systemctl list-jobs --no-legend 2>/dev/null | grep -Eq ' (network|nss-lookup)\.target '; then sleep 0.25; continue; fi
  nic=; for n in /sys/class/net/*; do [ "${n##*/}" = lo ] || nic=1; done
  [ -z "$nic" ] || ! command -v ip >/dev/null || ip -4 route show default | grep -q . || { sleep 0.25; continue; }
  exit 0
done
exit 1`
	_, _ = b.output(ctx, name, "/bin/sh", "-c", script)
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
			"description":        fmt.Sprintf("devbox cache: %s + %d package(s) + %d step(s)", spec.Image, len(spec.Packages), steps),
			"devbox.cache":       key,
			"devbox.base":        spec.Image,
			"devbox.steps":       itoa(steps),
			"devbox.fingerprint": spec.BaseFP,
			"devbox.packages":    strings.Join(spec.Packages, " "),
			"devbox.create":      time.Now().UTC().Format(time.RFC3339),
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

package lxc

import (
	"testing"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
	"github.com/devbox-dev/devbox/proxy"
)

func TestSubsetLayer(t *testing.T) {
	layer := func(fp, base, steps, pkgs string) api.Image {
		return api.Image{Fingerprint: fp, ImagePut: api.ImagePut{Properties: map[string]string{
			"devbox.cache": "k" + fp, "devbox.fingerprint": base, "devbox.steps": steps, "devbox.packages": pkgs}}}
	}
	imgs := []api.Image{
		layer("one", "B", "0", "hello"),
		layer("two", "B", "0", "hello figlet"),
		layer("extra", "B", "0", "hello figlet nginx"), // has one we don't want
		layer("other-base", "A", "0", "hello figlet redis-server"),
		layer("step", "B", "1", "hello figlet redis-server"),
		{Fingerprint: "not-devbox", ImagePut: api.ImagePut{Properties: map[string]string{"devbox.fingerprint": "B", "devbox.steps": "0"}}},
	}
	if got := subsetLayer(imgs, "B", []string{"redis-server", "figlet", "hello"}); got != "two" {
		t.Errorf("picked %q, want two", got)
	}
	if got := subsetLayer(imgs, "B", []string{"redis-server"}); got != "" {
		t.Errorf("picked %q for no subset", got)
	}
}

// TestAddedPackageStartsFromCachedLayer: with the packages layer of
// [hello] cached, an environment of [hello, figlet] starts from it and
// installs the rest.
func TestAddedPackageStartsFromCachedLayer(t *testing.T) {
	b := newBackend(t)
	requireProxy(t)
	testenv.CacheShared(t)
	ctx := testCtx(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxadd"), Image: "debian/12",
		Proxy:    proxy.Settings{HTTP: packageProxy},
		Services: []envfile.Service{{Name: "app", Packages: []string{"hello"}, Command: []string{"sleep", "infinity"}}}}
	more := *env
	more.Services = []envfile.Service{{Name: "app", Packages: []string{"hello", "figlet"}, Command: []string{"sleep", "infinity"}}}
	for _, e := range []*envfile.Environment{env, &more} {
		keys, err := b.CacheKeys(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		pruneLayers(t, b, keys)
	}
	cleanup(t, b, env)
	upEvents(t, b, env)
	destroy(t, b, env, true)
	_, events := upEvents(t, b, &more)
	if !hasEvent(events, "creating from a cached layer with some of the packages") || !hasEvent(events, "packages: figlet hello") {
		t.Errorf("events: %q", events)
	}
	if out, err := b.output(ctx, InstanceName(env.Project), "figlet", "x"); err != nil || out == "" {
		t.Errorf("figlet: %q %v", out, err)
	}
}

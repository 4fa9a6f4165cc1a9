package lxc

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// cacheLayers lists the cached layers on the server, newest first, as
// engine.Cacher reports them: Name is the image alias, ID its fingerprint.
func (b *Backend) cacheLayers(ctx context.Context) ([]engine.CacheEntry, error) {
	imgs, err := b.c.GetImages()
	if err != nil {
		return nil, fmt.Errorf("lxc: list images: %w", err)
	}
	var out []engine.CacheEntry
	for _, img := range imgs {
		if img.Properties["devbox.cache"] == "" {
			continue
		}
		e := engine.CacheEntry{ID: img.Fingerprint, Size: img.Size, Created: img.CreatedAt, LastUsed: img.LastUsedAt}
		e.Step, _ = strconv.Atoi(img.Properties["devbox.steps"])
		for _, a := range img.Aliases {
			if strings.HasPrefix(a.Name, cachePrefix) {
				e.Name = a.Name
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// pruneLayers deletes the cached layers for which remove returns true (all
// of them for a nil remove) and returns what it deleted.
func (b *Backend) pruneLayers(ctx context.Context, remove func(engine.CacheEntry) bool) ([]engine.CacheEntry, error) {
	list, err := b.cacheLayers(ctx)
	if err != nil {
		return nil, err
	}
	var gone []engine.CacheEntry
	for _, e := range list {
		if remove != nil && !remove(e) {
			continue
		}
		if err := wait(b.c.DeleteImage(e.ID)); err != nil {
			return gone, fmt.Errorf("lxc: delete cached layer %s: %w", e.Name, err)
		}
		gone = append(gone, e)
	}
	return gone, nil
}

// CacheKeys are the aliases of env's layers, shortest prefix first
// (CacheInUse, and tests that clean up their layers).
func (b *Backend) CacheKeys(ctx context.Context, env *envfile.Environment) ([]string, error) {
	spec, err := specOf(env)
	if err != nil {
		return nil, err
	}
	base, err := b.resolveImage(ctx, env.Image)
	if err != nil {
		return nil, err
	}
	keys := layerKeys(base.Image.Fingerprint, spec)
	for i := range keys {
		keys[i] = cachePrefix + keys[i]
	}
	return keys, nil
}

// CacheEntry, CacheList and CachePrune are the lxc-only cache API that
// engine.Cacher replaced. They forward to it until their last callers
// (cacher.go, proxy_test.go) move over; then delete them.

// CacheEntry is a cached layer in the lxc-only API.
type CacheEntry struct {
	Alias       string
	Fingerprint string
	Steps       int
	Size        int64
	Created     time.Time
	LastUsed    time.Time
}

func fromEntry(e engine.CacheEntry) CacheEntry {
	return CacheEntry{Alias: e.Name, Fingerprint: e.ID, Steps: e.Step, Size: e.Size, Created: e.Created, LastUsed: e.LastUsed}
}

func fromEntries(es []engine.CacheEntry) []CacheEntry {
	out := make([]CacheEntry, len(es))
	for i, e := range es {
		out[i] = fromEntry(e)
	}
	return out
}

// CacheList forwards to cacheLayers.
func (b *Backend) CacheList(ctx context.Context) ([]CacheEntry, error) {
	list, err := b.cacheLayers(ctx)
	return fromEntries(list), err
}

// CachePrune forwards to pruneLayers.
func (b *Backend) CachePrune(ctx context.Context, remove func(CacheEntry) bool) ([]CacheEntry, error) {
	var pick func(engine.CacheEntry) bool
	if remove != nil {
		pick = func(e engine.CacheEntry) bool { return remove(fromEntry(e)) }
	}
	gone, err := b.pruneLayers(ctx, pick)
	return fromEntries(gone), err
}

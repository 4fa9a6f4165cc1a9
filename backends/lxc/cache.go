package lxc

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/devbox-dev/devbox/envfile"
)

// CacheEntry is one cached provisioning layer (devbox cache ls).
type CacheEntry struct {
	Alias       string    `json:"alias"`
	Fingerprint string    `json:"fingerprint"`
	Base        string    `json:"base"`
	Steps       int       `json:"steps"`
	Size        int64     `json:"size"`
	Created     time.Time `json:"created"`
	LastUsed    time.Time `json:"last_used,omitzero"`
}

// CacheList lists the cached layers on the server, newest first.
func (b *Backend) CacheList(ctx context.Context) ([]CacheEntry, error) {
	imgs, err := b.c.GetImages()
	if err != nil {
		return nil, fmt.Errorf("lxc: list images: %w", err)
	}
	var out []CacheEntry
	for _, img := range imgs {
		key := img.Properties["devbox.cache"]
		if key == "" {
			continue
		}
		e := CacheEntry{Fingerprint: img.Fingerprint, Base: img.Properties["devbox.base"], Size: img.Size, Created: img.CreatedAt, LastUsed: img.LastUsedAt}
		e.Steps, _ = strconv.Atoi(img.Properties["devbox.steps"])
		for _, a := range img.Aliases {
			if strings.HasPrefix(a.Name, cachePrefix) {
				e.Alias = a.Name
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// CachePrune deletes the cached layers for which remove returns true (all
// of them for a nil remove) and returns what it deleted.
func (b *Backend) CachePrune(ctx context.Context, remove func(CacheEntry) bool) ([]CacheEntry, error) {
	list, err := b.CacheList(ctx)
	if err != nil {
		return nil, err
	}
	var gone []CacheEntry
	for _, e := range list {
		if remove != nil && !remove(e) {
			continue
		}
		if err := wait(b.c.DeleteImage(e.Fingerprint)); err != nil {
			return gone, fmt.Errorf("lxc: delete cached layer %s: %w", e.Alias, err)
		}
		gone = append(gone, e)
	}
	return gone, nil
}

// CacheKeys are the aliases of env's layers, shortest prefix first.
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

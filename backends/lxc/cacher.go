package lxc

import (
	"context"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Cache implements engine.Cacher over CacheList.
func (b *Backend) Cache(ctx context.Context) ([]engine.CacheEntry, error) {
	list, err := b.CacheList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]engine.CacheEntry, len(list))
	for i, e := range list {
		out[i] = toEntry(e)
	}
	return out, nil
}

// CacheInUse implements engine.Cacher: the layers of env's current file.
func (b *Backend) CacheInUse(ctx context.Context, env *envfile.Environment) (map[string]bool, error) {
	keys, err := b.CacheKeys(ctx, env)
	if err != nil {
		return nil, err
	}
	in := map[string]bool{}
	for _, k := range keys {
		in[k] = true
	}
	return in, nil
}

// PruneCache implements engine.Cacher over CachePrune.
func (b *Backend) PruneCache(ctx context.Context, remove func(engine.CacheEntry) bool) ([]engine.CacheEntry, error) {
	gone, err := b.CachePrune(ctx, func(e CacheEntry) bool { return remove(toEntry(e)) })
	out := make([]engine.CacheEntry, len(gone))
	for i, e := range gone {
		out[i] = toEntry(e)
	}
	return out, err
}

func toEntry(e CacheEntry) engine.CacheEntry {
	return engine.CacheEntry{Name: e.Alias, ID: e.Fingerprint, Step: e.Steps, Size: e.Size, Created: e.Created, LastUsed: e.LastUsed}
}

package docker

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Cache implements engine.Cacher: the devbox-cache/<hash> step images,
// newest first.
func (b *Backend) Cache(ctx context.Context) ([]engine.CacheEntry, error) {
	imgs, err := b.cli.ImageList(ctx, image.ListOptions{
		Filters: filters.NewArgs(filters.Arg("label", LabelKind+"="+string(engine.KindImage))),
	})
	if err != nil {
		return nil, fmt.Errorf("docker: list cache images: %w", err)
	}
	var out []engine.CacheEntry
	for _, img := range imgs {
		e := engine.CacheEntry{ID: img.ID, Size: img.Size, Created: time.Unix(img.Created, 0)}
		e.Step, _ = strconv.Atoi(img.Labels[LabelStep])
		for _, t := range img.RepoTags {
			if strings.HasPrefix(t, CacheRepo) {
				e.Name = strings.TrimSuffix(t, ":latest")
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// CacheInUse implements engine.Cacher: the step images of env's services.
func (b *Backend) CacheInUse(ctx context.Context, env *envfile.Environment) (map[string]bool, error) {
	in := map[string]bool{}
	for _, s := range env.Services {
		tags, err := b.CacheTags(ctx, env, s.Name)
		if err != nil {
			return nil, err
		}
		for _, t := range tags {
			in[strings.TrimSuffix(t, ":latest")] = true
		}
	}
	return in, nil
}

// PruneCache implements engine.Cacher. Entries are removed by tag, so a
// step whose later steps are kept only loses its name (Docker keeps the
// layers the children need); images a container still uses are skipped.
func (b *Backend) PruneCache(ctx context.Context, remove func(engine.CacheEntry) bool) ([]engine.CacheEntry, error) {
	list, err := b.Cache(ctx)
	if err != nil {
		return nil, err
	}
	var gone []engine.CacheEntry
	for _, e := range list {
		if !remove(e) {
			continue
		}
		ref := e.ID
		if e.Name != "" {
			ref = e.Name
		}
		if _, err := b.cli.ImageRemove(ctx, ref, image.RemoveOptions{PruneChildren: true}); err != nil {
			if cerrdefs.IsConflict(err) {
				continue // in use by a container
			}
			return gone, fmt.Errorf("docker: remove cache image %s: %w", e.Name, err)
		}
		gone = append(gone, e)
	}
	return gone, nil
}

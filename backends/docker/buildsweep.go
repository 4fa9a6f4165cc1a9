package docker

import (
	"context"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
)

// staleBuildAge: a build container not running this long after its
// creation belongs to no build in progress (runStep starts it at once and
// removes it when done); only a killed devbox leaves one.
const staleBuildAge = 10 * time.Minute

// sweepBuildContainers removes build containers a killed devbox left
// (created or exited, older than staleBuildAge), before a build makes new
// ones; errors are ignored: it is housekeeping, the build does not need it.
func (b *Backend) sweepBuildContainers(ctx context.Context, now time.Time) {
	f := filters.NewArgs(filters.Arg("label", LabelKind+"=build"))
	f.Add("status", "created")
	f.Add("status", "exited")
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return
	}
	for _, c := range cs {
		if now.Sub(time.Unix(c.Created, 0)) < staleBuildAge {
			continue
		}
		_ = b.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	}
}

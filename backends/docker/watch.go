package docker

import (
	"context"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
)

// Watch implements engine.Watcher from Docker's event stream, filtered by
// the project label: every container start, stop, die or health change of
// the project sends one notification.
func (b *Backend) Watch(ctx context.Context, project string) (<-chan struct{}, error) {
	msgs, errs := b.cli.Events(ctx, events.ListOptions{
		Filters: filters.NewArgs(filters.Arg("label", LabelProject+"="+project)),
	})
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		for {
			select {
			case <-msgs:
				select {
				case out <- struct{}{}:
				default: // a notification is already pending; one is enough
				}
			case <-errs:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

package lxc

import (
	"context"
	"fmt"
	"strings"

	"github.com/lxc/incus/v6/shared/api"
)

// Watch implements engine.Watcher from Incus lifecycle events of the
// project's instance. Units inside the instance raise no Incus events;
// their changes reach views through polling.
func (b *Backend) Watch(ctx context.Context, project string) (<-chan struct{}, error) {
	listener, err := b.c.GetEvents()
	if err != nil {
		return nil, fmt.Errorf("lxc: events: %w", err)
	}
	inst := "/instances/" + InstanceName(project)
	out := make(chan struct{}, 1)
	_, err = listener.AddHandler([]string{"lifecycle"}, func(e api.Event) {
		if !strings.Contains(string(e.Metadata), inst) {
			return
		}
		select {
		case out <- struct{}{}:
		default:
		}
	})
	if err != nil {
		listener.Disconnect()
		return nil, fmt.Errorf("lxc: events: %w", err)
	}
	go func() {
		defer close(out)
		select {
		case <-ctx.Done():
		case <-waitDone(listener):
		}
		listener.Disconnect()
	}()
	return out, nil
}

// waitDone turns the listener's Wait into a channel.
func waitDone(l interface{ Wait() error }) <-chan struct{} {
	ch := make(chan struct{})
	go func() { _ = l.Wait(); close(ch) }()
	return ch
}

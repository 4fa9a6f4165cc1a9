package lxc

import (
	"context"
	"encoding/json"
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
		var lc api.EventLifecycle
		if json.Unmarshal(e.Metadata, &lc) != nil || !strings.HasSuffix(lc.Source, inst) || !changes(lc.Action) {
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

// changes reports whether a lifecycle action can change what status shows.
// Reading status itself runs exec and file operations inside the instance;
// reacting to those would make every refresh trigger the next one.
func changes(action string) bool {
	return !strings.HasPrefix(action, "instance-exec") && !strings.HasPrefix(action, "instance-file") &&
		!strings.HasPrefix(action, "instance-log") && !strings.HasPrefix(action, "instance-console")
}

// waitDone turns the listener's Wait into a channel.
func waitDone(l interface{ Wait() error }) <-chan struct{} {
	ch := make(chan struct{})
	go func() { _ = l.Wait(); close(ch) }()
	return ch
}

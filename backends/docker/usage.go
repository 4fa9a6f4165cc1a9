package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

var _ engine.UsageReporter = (*Backend)(nil)

// Usage reports CPU and memory of env's running services from one-shot
// stats, read in parallel. Each read waits for the daemon's collection
// cycle (about a second), which is why Status leaves usage out and only
// views that show it ask. CPU is the use since the previous Usage call (or
// since the container started); a failed read leaves that service out.
func (b *Backend) Usage(ctx context.Context, env *envfile.Environment) (map[string]engine.Usage, error) {
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{Filters: projectFilter(env.Project, engine.KindService)})
	if err != nil {
		return nil, fmt.Errorf("docker: usage: %w", err)
	}
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out = map[string]engine.Usage{}
	)
	for _, c := range cs {
		name := c.Labels[LabelName]
		if env.Service(name) == nil {
			continue
		}
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			u, ok := b.containerUsage(ctx, id)
			if ok {
				mu.Lock()
				out[name] = u
				mu.Unlock()
			}
		}(c.ID)
	}
	wg.Wait()
	return out, nil
}

// containerUsage reads one container's stats; ok is false when it could
// not (the container went away, say).
func (b *Backend) containerUsage(ctx context.Context, id string) (engine.Usage, bool) {
	c, err := b.cli.ContainerInspect(ctx, id)
	if err != nil || c.State == nil || !c.State.Running {
		return engine.Usage{}, false
	}
	resp, err := b.cli.ContainerStatsOneShot(ctx, id)
	if err != nil {
		return engine.Usage{}, false
	}
	defer resp.Body.Close()
	var st container.StatsResponse
	if json.NewDecoder(resp.Body).Decode(&st) != nil {
		return engine.Usage{}, false
	}
	u := engine.Usage{MemBytes: st.MemoryStats.Usage}
	// Like docker stats: page cache is not the service's memory.
	if c, ok := st.MemoryStats.Stats["total_inactive_file"]; ok && c < u.MemBytes {
		u.MemBytes -= c
	} else if c, ok := st.MemoryStats.Stats["inactive_file"]; ok && c < u.MemBytes {
		u.MemBytes -= c
	}
	started, _ := time.Parse(time.RFC3339Nano, c.State.StartedAt)
	u.CPU = b.cpu.Percent(id, st.CPUStats.CPUUsage.TotalUsage, time.Now(), started)
	return u, true
}

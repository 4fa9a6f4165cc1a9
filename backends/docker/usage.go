package docker

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
)

// addUsage fills CPU and memory of running services from one-shot stats,
// read in parallel (a streamed stats read waits a second per container).
// CPU is the use since the previous status call; failures leave figures blank.
func (b *Backend) addUsage(ctx context.Context, rows []engine.ServiceStatus, ids map[string]string) {
	var wg sync.WaitGroup
	for i := range rows {
		id, ok := ids[rows[i].Name]
		if !ok || rows[i].State == "stopped" || rows[i].State == "exited" || rows[i].State == "missing" {
			continue
		}
		wg.Add(1)
		go func(r *engine.ServiceStatus) {
			defer wg.Done()
			resp, err := b.cli.ContainerStatsOneShot(ctx, id)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			var st container.StatsResponse
			if json.NewDecoder(resp.Body).Decode(&st) != nil {
				return
			}
			r.MemBytes = st.MemoryStats.Usage
			// Like docker stats: page cache is not the service's memory.
			if c, ok := st.MemoryStats.Stats["total_inactive_file"]; ok && c < r.MemBytes {
				r.MemBytes -= c
			} else if c, ok := st.MemoryStats.Stats["inactive_file"]; ok && c < r.MemBytes {
				r.MemBytes -= c
			}
			started, _ := time.Parse(time.RFC3339Nano, r.StartedAt)
			r.CPU = b.cpu.Percent(id, st.CPUStats.CPUUsage.TotalUsage, time.Now(), started)
		}(&rows[i])
	}
	wg.Wait()
}

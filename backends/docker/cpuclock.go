package docker

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

var _ engine.CPUClock = (*Backend)(nil)

// CPUTimes reads each running service's cumulative CPU time from its
// container's cgroup on this machine: one container list and a file read
// per container, where the daemon's stats would wait for its ~1 s
// collection cycle. A remote daemon's cgroups are not here: unsupported.
func (b *Backend) CPUTimes(ctx context.Context, env *envfile.Environment) (map[string]time.Duration, error) {
	if !b.localDaemon() {
		return nil, errors.ErrUnsupported
	}
	f := projectFilter(env.Project, engine.KindService)
	f.Add("status", "running")
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("docker: cpu times: %w", err)
	}
	out := make(map[string]time.Duration, len(cs))
	for _, c := range cs {
		out[c.Labels[LabelName]] = cgroupCPU(c.ID)
	}
	return out, nil
}

// cgroupCPU reads a container's CPU time from the cgroup layouts dockerd
// uses: v1 with the cgroupfs or systemd driver, v2 with either. Another
// layout (a cgroup parent, devbox itself in a container) is CPUUnknown.
func cgroupCPU(id string) time.Duration {
	for _, p := range []string{
		"/sys/fs/cgroup/cpuacct/docker/" + id + "/cpuacct.usage",
		"/sys/fs/cgroup/cpu,cpuacct/docker/" + id + "/cpuacct.usage",
		"/sys/fs/cgroup/cpuacct/system.slice/docker-" + id + ".scope/cpuacct.usage",
		"/sys/fs/cgroup/cpu,cpuacct/system.slice/docker-" + id + ".scope/cpuacct.usage",
	} {
		if b, err := os.ReadFile(p); err == nil {
			if ns, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64); err == nil {
				return time.Duration(ns)
			}
		}
	}
	for _, p := range []string{
		"/sys/fs/cgroup/system.slice/docker-" + id + ".scope/cpu.stat",
		"/sys/fs/cgroup/docker/" + id + "/cpu.stat",
	} {
		if b, err := os.ReadFile(p); err == nil {
			if us, ok := usageUsec(b); ok {
				return time.Duration(us) * time.Microsecond
			}
		}
	}
	return engine.CPUUnknown
}

// usageUsec finds usage_usec in a cgroup v2 cpu.stat.
func usageUsec(stat []byte) (int64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(stat))
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("usage_usec ")); ok {
			n, err := strconv.ParseInt(string(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

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
	"github.com/devbox-dev/devbox/internal/procnet"
)

var _ engine.SettleProbe = (*Backend)(nil)

// SettleReadings reads each running service's cumulative CPU time from its
// container's cgroup on this machine, and whether it listens on its
// declared TCP ports from its network namespace's socket table: one
// container list and a few file reads per container, where the daemon's
// stats would wait for its ~1 s collection cycle. A remote daemon's
// cgroups are not here: unsupported.
func (b *Backend) SettleReadings(ctx context.Context, env *envfile.Environment) (map[string]engine.Reading, error) {
	if !b.localDaemon() {
		return nil, errors.ErrUnsupported
	}
	f := projectFilter(env.Project, engine.KindService)
	f.Add("status", "running")
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("docker: settle readings: %w", err)
	}
	out := make(map[string]engine.Reading, len(cs))
	for _, c := range cs {
		name := c.Labels[LabelName]
		dir := cgroupDir(c.ID)
		r := engine.Reading{CPU: cgroupCPU(dir)}
		if s := env.Service(name); s != nil && dir != "" {
			r.Listening = listens(dir, s.TCPPorts())
		}
		out[name] = r
	}
	return out, nil
}

// cgroupDir is the container's cgroup directory in the layouts dockerd
// uses (v1 with the cgroupfs or systemd driver, v2 with either), or "" for
// another layout (a cgroup parent, devbox itself in a container).
func cgroupDir(id string) string {
	for _, d := range []string{
		"/sys/fs/cgroup/cpuacct/docker/%s",
		"/sys/fs/cgroup/cpu,cpuacct/docker/%s",
		"/sys/fs/cgroup/cpuacct/system.slice/docker-%s.scope",
		"/sys/fs/cgroup/cpu,cpuacct/system.slice/docker-%s.scope",
		"/sys/fs/cgroup/system.slice/docker-%s.scope",
		"/sys/fs/cgroup/docker/%s",
	} {
		if p := fmt.Sprintf(d, id); dirExists(p) {
			return p
		}
	}
	return ""
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// cgroupCPU reads the CPU time of a cgroup directory: cpuacct.usage (v1)
// or cpu.stat's usage_usec (v2); CPUUnknown when neither is readable.
func cgroupCPU(dir string) time.Duration {
	if dir == "" {
		return engine.CPUUnknown
	}
	if b, err := os.ReadFile(dir + "/cpuacct.usage"); err == nil {
		if ns, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64); err == nil {
			return time.Duration(ns)
		}
	}
	if b, err := os.ReadFile(dir + "/cpu.stat"); err == nil {
		if us, ok := usageUsec(b); ok {
			return time.Duration(us) * time.Microsecond
		}
	}
	return engine.CPUUnknown
}

// listens reports whether a process of the cgroup (its first: they share
// the container's network namespace) has every port listening. No ports,
// or a table that cannot be read, is false: the CPU reading decides.
func listens(dir string, ports []int) bool {
	if len(ports) == 0 {
		return false
	}
	procs, err := os.ReadFile(dir + "/cgroup.procs")
	if err != nil {
		return false
	}
	pid, _, _ := bytes.Cut(procs, []byte("\n"))
	if len(bytes.TrimSpace(pid)) == 0 {
		return false
	}
	var table []byte
	for _, f := range []string{"tcp", "tcp6"} {
		b, _ := os.ReadFile("/proc/" + string(bytes.TrimSpace(pid)) + "/net/" + f)
		table = append(table, b...)
	}
	return procnet.All(procnet.Listening(table), ports)
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

package lxc

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

var _ engine.CPUClock = (*Backend)(nil)

// CPUTimes reads each running unit's CPU time in one exec: the user and
// system ticks (USER_HZ 100) of every process in the unit's cgroup, its
// reaped children's included, since per-unit CPU accounting is not there
// in an unprivileged container on cgroup v1. A unit without processes is
// absent.
func (b *Backend) CPUTimes(ctx context.Context, env *envfile.Environment) (map[string]time.Duration, error) {
	inst, err := b.instance(env.Project)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Duration{}
	if inst == nil || inst.StatusCode != api.Running {
		return out, nil
	}
	units := make([]string, len(env.Services))
	byUnit := map[string]string{}
	for i := range env.Services {
		units[i] = unitOf(&env.Services[i])
		byUnit[units[i]] = env.Services[i].Name
	}
	text, err := b.output(ctx, inst.Name, "sh", "-c", cpuScript(units))
	if err != nil {
		return nil, fmt.Errorf("lxc: cpu times: %w", err)
	}
	for _, line := range strings.Split(text, "\n") {
		u, ticks, ok := strings.Cut(strings.TrimSpace(line), " ")
		if n, err := strconv.ParseInt(ticks, 10, 64); ok && err == nil && byUnit[u] != "" {
			out[byUnit[u]] = time.Duration(n) * 10 * time.Millisecond
		}
	}
	return out, nil
}

// cpuScript prints "UNIT TICKS" for each unit with processes, reading the
// cgroup v1 systemd hierarchy, else the v2 one.
func cpuScript(units []string) string {
	return "for u in " + strings.Join(units, " ") + "; do f=/sys/fs/cgroup/systemd/system.slice/$u/cgroup.procs; " +
		"[ -r $f ] || f=/sys/fs/cgroup/system.slice/$u/cgroup.procs; t=0; n=0; " +
		"for p in $(cat $f 2>/dev/null); do set -- $(cut -d' ' -f14-17 /proc/$p/stat 2>/dev/null); " +
		"[ $# = 4 ] || continue; t=$((t+$1+$2+$3+$4)); n=1; done; [ $n = 1 ] && echo \"$u $t\"; done; true"
}

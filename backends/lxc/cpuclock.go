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
	"github.com/devbox-dev/devbox/internal/procnet"
)

var _ engine.SettleProbe = (*Backend)(nil)

// SettleReadings reads, in one exec, each running unit's CPU time — the
// user and system ticks (USER_HZ 100) of every process in the unit's
// cgroup, its reaped children's included, since per-unit CPU accounting is
// not there in an unprivileged container on cgroup v1 — and the
// instance's listening TCP ports: the units share its network namespace,
// so a unit listens when its declared ports do. A unit without processes
// is absent.
func (b *Backend) SettleReadings(ctx context.Context, env *envfile.Environment) (map[string]engine.Reading, error) {
	inst, err := b.instance(env.Project)
	if err != nil {
		return nil, err
	}
	out := map[string]engine.Reading{}
	if inst == nil || inst.StatusCode != api.Running {
		return out, nil
	}
	units := make([]string, len(env.Services))
	byUnit := map[string]*envfile.Service{}
	ports := false
	for i := range env.Services {
		units[i] = unitOf(&env.Services[i])
		byUnit[units[i]] = &env.Services[i]
		ports = ports || len(env.Services[i].TCPPorts()) > 0
	}
	script := cpuScript(units)
	if ports {
		script += "; echo " + tcpMarker + "; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; true"
	}
	text, err := b.output(ctx, inst.Name, "sh", "-c", script)
	if err != nil {
		return nil, fmt.Errorf("lxc: settle readings: %w", err)
	}
	cpu, table, _ := strings.Cut(text, tcpMarker+"\n")
	listening := procnet.Listening([]byte(table))
	for _, line := range strings.Split(cpu, "\n") {
		u, ticks, ok := strings.Cut(strings.TrimSpace(line), " ")
		n, err := strconv.ParseInt(ticks, 10, 64)
		if s := byUnit[u]; ok && err == nil && s != nil {
			ps := s.TCPPorts()
			out[s.Name] = engine.Reading{CPU: time.Duration(n) * 10 * time.Millisecond, Listening: len(ps) > 0 && procnet.All(listening, ps)}
		}
	}
	return out, nil
}

// tcpMarker separates the units' CPU lines from the socket table.
const tcpMarker = "@tcp"

// cpuScript prints "UNIT TICKS" for each unit with processes, reading the
// cgroup v1 systemd hierarchy, else the v2 one.
func cpuScript(units []string) string {
	return "for u in " + strings.Join(units, " ") + "; do f=/sys/fs/cgroup/systemd/system.slice/$u/cgroup.procs; " +
		"[ -r $f ] || f=/sys/fs/cgroup/system.slice/$u/cgroup.procs; t=0; n=0; " +
		"for p in $(cat $f 2>/dev/null); do set -- $(cut -d' ' -f14-17 /proc/$p/stat 2>/dev/null); " +
		"[ $# = 4 ] || continue; t=$((t+$1+$2+$3+$4)); n=1; done; [ $n = 1 ] && echo \"$u $t\"; done; true"
}

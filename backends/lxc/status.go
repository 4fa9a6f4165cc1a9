package lxc

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Status reports every service of env: unit state, health (the check is
// run once), restarts, start time, the instance's addresses and the
// service's forwarded ports. One systemctl show covers all units.
func (b *Backend) Status(ctx context.Context, env *envfile.Environment) ([]engine.ServiceStatus, error) {
	spec, err := specOf(env)
	if err != nil {
		return nil, err
	}
	out := make([]engine.ServiceStatus, len(env.Services))
	for i, s := range env.Services {
		out[i] = engine.ServiceStatus{Name: s.Name, State: engine.StateMissing}
		for _, f := range spec.Ports {
			if f.Service == s.Name {
				out[i].Ports = append(out[i].Ports, f.String())
			}
		}
	}
	inst, err := b.instance(env.Project)
	if err != nil || inst == nil {
		return out, err
	}
	if inst.StatusCode != api.Running {
		for i := range out {
			if inst.Config[keyService+out[i].Name] != "" {
				out[i].State = engine.StateStopped
			}
		}
		return out, nil
	}
	var addrs []string
	if st, _, err := b.c.GetInstanceState(inst.Name); err == nil {
		for nic, n := range st.Network {
			if nic == "lo" {
				continue
			}
			for _, a := range n.Addresses {
				if a.Scope == "global" {
					addrs = append(addrs, a.Address)
				}
			}
		}
		sort.Strings(addrs)
	}
	text, err := b.output(ctx, inst.Name, "sh", "-c", showScript(env))
	if err != nil {
		return nil, fmt.Errorf("lxc: status: %w", err)
	}
	units := parseShow(text)
	for i := range out {
		s := &env.Services[i]
		if inst.Config[keyService+s.Name] == "" {
			continue // never created (up SERVICE… left it out): missing, not stopped
		}
		u := units[unitOf(s)]
		st := &out[i]
		st.Addresses = addrs
		st.Restarts, _ = strconv.Atoi(u["NRestarts"])
		st.StartedAt = unixTime(u["ExecMainStartTimestamp"])
		st.MemBytes, _ = strconv.ParseUint(u["MemoryCurrent"], 10, 64)
		ns, err := strconv.ParseUint(u["CPUUsageNSec"], 10, 64)
		if err != nil {
			// No per-unit CPU accounting (cgroup v1, unprivileged): the
			// main process's user+system ticks (USER_HZ 100) instead.
			ticks, terr := strconv.ParseUint(units["proc:"+unitOf(s)]["Ticks"], 10, 64)
			ns, err = ticks*1e7, terr
		}
		if err == nil {
			started, _ := time.Parse(time.RFC3339, st.StartedAt)
			st.CPU = b.cpu.Percent(u["Id"]+"@"+inst.Name, ns, time.Now(), started)
		}
		st.State = unitState(u)
		if st.State == engine.StateRunning && s.Health != nil && len(s.Health.Command) > 0 {
			res, err := b.healthOnce(ctx, env, s, healthDefaults(*s.Health))
			switch {
			case err != nil:
				return nil, err
			case res.OK:
				st.Health = "healthy"
			default:
				st.Health, st.State = engine.HealthUnhealthy, engine.StateUnhealthy
			}
		}
	}
	return out, nil
}

// showScript prints `systemctl show` for every unit, then for each unit
// with a main process a block "Id=proc:<unit>" with its CPU ticks: all in
// one exec, because each exec costs the dashboard a round trip.
func showScript(env *envfile.Environment) string {
	units := make([]string, len(env.Services))
	for i := range env.Services {
		units[i] = unitOf(&env.Services[i])
	}
	list := strings.Join(units, " ")
	return "systemctl show --timestamp=unix -p Id,LoadState,ActiveState,SubState,NRestarts,ExecMainStartTimestamp,MemoryCurrent,CPUUsageNSec " + list +
		"\nfor u in " + list + "; do p=$(systemctl show -p MainPID --value $u); [ \"${p:-0}\" -gt 0 ] || continue; " +
		"set -- $(cut -d' ' -f14,15 /proc/$p/stat 2>/dev/null); printf '\\nId=proc:%s\\nTicks=%s\\n' $u $((${1:-0}+${2:-0})); done"
}

// unitState maps systemd's states onto devbox's.
func unitState(u map[string]string) string {
	switch {
	case u == nil || u["LoadState"] == "not-found":
		return engine.StateMissing
	case u["ActiveState"] == "active" || u["ActiveState"] == "reloading":
		return engine.StateRunning
	case u["ActiveState"] == "activating" && u["SubState"] == "auto-restart":
		return "restarting"
	case u["ActiveState"] == "activating":
		return engine.StateStarting
	case u["ActiveState"] == "failed":
		return engine.StateExited
	default:
		return engine.StateStopped
	}
}

// parseShow reads systemctl show output for several units (blocks
// separated by blank lines), keyed by Id.
func parseShow(text string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, block := range strings.Split(strings.TrimSpace(text), "\n\n") {
		m := map[string]string{}
		for _, line := range strings.Split(block, "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				m[k] = v
			}
		}
		if m["Id"] != "" {
			out[m["Id"]] = m
		}
	}
	return out
}

// unixTime turns systemd's "@1700000000" into RFC 3339 ("" stays "").
func unixTime(s string) string {
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "@"), 10, 64)
	if err != nil || n == 0 {
		return ""
	}
	return time.Unix(n, 0).UTC().Format(time.RFC3339)
}

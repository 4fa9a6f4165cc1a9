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
		out[i] = engine.ServiceStatus{Name: s.Name, State: "missing"}
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
				out[i].State = "stopped"
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
	cmd := []string{"systemctl", "show", "--timestamp=unix", "-p", "Id,LoadState,ActiveState,SubState,NRestarts,ExecMainStartTimestamp,MemoryCurrent"}
	for _, s := range env.Services {
		cmd = append(cmd, UnitName(s.Name))
	}
	text, err := b.output(ctx, inst.Name, cmd...)
	if err != nil {
		return nil, fmt.Errorf("lxc: status: %w", err)
	}
	units := parseShow(text)
	for i := range out {
		s := &env.Services[i]
		u := units[UnitName(s.Name)]
		st := &out[i]
		st.Addresses = addrs
		st.Restarts, _ = strconv.Atoi(u["NRestarts"])
		st.StartedAt = unixTime(u["ExecMainStartTimestamp"])
		st.MemBytes, _ = strconv.ParseUint(u["MemoryCurrent"], 10, 64)
		st.State = unitState(u)
		if st.State == "running" && s.Health != nil && len(s.Health.Command) > 0 {
			h := *s.Health
			if h.Timeout <= 0 {
				h.Timeout = envfile.Duration(5e9)
			}
			ok, _, err := b.healthOnce(ctx, env, s, h)
			switch {
			case err != nil:
				return nil, err
			case ok:
				st.Health = "healthy"
			default:
				st.Health, st.State = "unhealthy", "unhealthy"
			}
		}
	}
	return out, nil
}

// unitState maps systemd's states onto devbox's.
func unitState(u map[string]string) string {
	switch {
	case u == nil || u["LoadState"] == "not-found":
		return "missing"
	case u["ActiveState"] == "active" || u["ActiveState"] == "reloading":
		return "running"
	case u["ActiveState"] == "activating" && u["SubState"] == "auto-restart":
		return "restarting"
	case u["ActiveState"] == "activating":
		return "starting"
	case u["ActiveState"] == "failed":
		return "exited"
	default:
		return "stopped"
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

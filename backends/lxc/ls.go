package lxc

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/engine"
)

// keyDir is the directory of the devbox.hcl the instance was created
// from, for `devbox ls`. It is in no hash: a moved checkout rebuilds
// nothing by itself.
const keyDir = "user.devbox.dir"

var _ engine.Lister = (*Backend)(nil)

// ListProjects lists every devbox project instance on this server from
// one instance list (their user.devbox.* keys). Which services run is not
// in the keys: a running instance gets one exec of systemctl is-active
// for its units, as Observe reads them.
func (b *Backend) ListProjects(ctx context.Context) ([]engine.ProjectInfo, error) {
	list, err := b.c.GetInstances(api.InstanceTypeAny)
	if err != nil {
		return nil, fmt.Errorf("lxc: list instances: %w", err)
	}
	var out []engine.ProjectInfo
	for i := range list {
		inst := &list[i]
		p, units := projectOf(inst)
		if p.Project == "" {
			continue
		}
		switch {
		case inst.StatusCode != api.Running:
		case len(units) == 0:
			p.State = engine.ProjectRunning // the instance alone
		default:
			p.Running, err = b.activeUnits(ctx, inst.Name, units)
			if err != nil {
				p.State = "unknown"
			} else {
				p.State = engine.ProjectState(p.Running, p.Total)
			}
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Project < out[j].Project })
	return out, nil
}

// projectOf reads a project instance's keys: project, dir and the units
// of its services (sorted). Instances of no project give "".
func projectOf(inst *api.Instance) (engine.ProjectInfo, []string) {
	p := engine.ProjectInfo{Project: inst.Config[keyProject], Backend: "lxc", Dir: inst.Config[keyDir], State: engine.ProjectStopped}
	var units []string
	for k := range inst.Config {
		if name, ok := strings.CutPrefix(k, keyService); ok {
			units = append(units, labelledUnit(inst.Config, name))
		}
	}
	sort.Strings(units)
	p.Total = len(units)
	return p, units
}

// activeUnits counts the units systemd reports active.
func (b *Backend) activeUnits(ctx context.Context, instance string, units []string) (int, error) {
	// A wedged instance must not hang ls.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	// is-active exits non-zero when any unit is not active; its lines
	// still say which.
	_, err := b.run(ctx, instance, execReq{Cmd: append([]string{"systemctl", "is-active", "--"}, units...), Stdout: &out})
	if err != nil {
		return 0, err
	}
	return countActive(out.String()), nil
}

// countActive counts the "active" and "reloading" lines of is-active.
func countActive(text string) int {
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if s := strings.TrimSpace(line); s == "active" || s == "reloading" {
			n++
		}
	}
	return n
}

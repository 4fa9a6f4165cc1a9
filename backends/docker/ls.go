package docker

import (
	"context"
	"fmt"
	"sort"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/devbox-dev/devbox/engine"
)

// LabelDir is the directory of the devbox.hcl a service's container was
// created from, for `devbox ls`. It is in no config hash: a moved
// checkout replaces nothing by itself.
const LabelDir = "dev.devbox.dir"

var _ engine.Lister = (*Backend)(nil)

// ListProjects lists every devbox project with service containers on this
// engine, from their labels: one container list, no inspect.
func (b *Backend) ListProjects(ctx context.Context) ([]engine.ProjectInfo, error) {
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", LabelKind+"="+string(engine.KindService)))})
	if err != nil {
		return nil, fmt.Errorf("docker: list containers: %w", err)
	}
	return projectsOf(cs), nil
}

// projectsOf groups listed containers by project. Dir is the newest
// container's: a kept container still names the directory it was made
// from, a replaced one where the last up ran.
func projectsOf(cs []container.Summary) []engine.ProjectInfo {
	byName := map[string]*engine.ProjectInfo{}
	newest := map[string]int64{}
	for _, c := range cs {
		name := c.Labels[LabelProject]
		if name == "" {
			continue
		}
		p := byName[name]
		if p == nil {
			p = &engine.ProjectInfo{Project: name, Backend: "docker"}
			byName[name] = p
		}
		p.Total++
		if c.State == container.StateRunning {
			p.Running++
		}
		if d := c.Labels[LabelDir]; d != "" && c.Created >= newest[name] {
			p.Dir, newest[name] = d, c.Created
		}
	}
	out := make([]engine.ProjectInfo, 0, len(byName))
	for _, p := range byName {
		p.State = engine.ProjectState(p.Running, p.Total)
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Project < out[j].Project })
	return out
}

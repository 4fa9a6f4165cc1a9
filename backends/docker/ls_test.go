package docker

import (
	"reflect"
	"testing"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
)

// TestProjectsOf: containers group by project; counts, state and the
// newest container's directory come from labels alone; a project made
// before the dir label shows none.
func TestProjectsOf(t *testing.T) {
	c := func(project, state, dir string, created int64) container.Summary {
		l := map[string]string{LabelProject: project, LabelKind: "service"}
		if dir != "" {
			l[LabelDir] = dir
		}
		return container.Summary{Labels: l, State: container.ContainerState(state), Created: created}
	}
	got := projectsOf([]container.Summary{
		c("b", "running", "/old", 1), c("b", "exited", "/new", 5), c("b", "running", "/old", 2),
		c("a", "running", "/a", 1), c("a", "running", "/a", 1),
		c("old", "exited", "", 1),
		{Labels: map[string]string{LabelKind: "service"}}, // no project: not ours to show
	})
	want := []engine.ProjectInfo{
		{Project: "a", Backend: "docker", State: "running", Running: 2, Total: 2, Dir: "/a"},
		{Project: "b", Backend: "docker", State: "partial", Running: 2, Total: 3, Dir: "/new"},
		{Project: "old", Backend: "docker", State: "stopped", Running: 0, Total: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("projectsOf =\n%+v\nwant\n%+v", got, want)
	}
}

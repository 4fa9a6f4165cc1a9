package engine

import (
	"context"
	"path/filepath"

	"github.com/devbox-dev/devbox/envfile"
)

// Project states `devbox ls` shows, as `docker compose ls` summarises its
// containers.
const (
	ProjectRunning = "running"
	ProjectStopped = "stopped"
	ProjectPartial = "partial"
)

// ProjectInfo is one devbox environment an engine holds, read from the
// labels of its objects.
type ProjectInfo struct {
	Project string `json:"project"`
	Backend string `json:"backend"`
	State   string `json:"state"`   // running, stopped or partial
	Running int    `json:"running"` // services running
	Total   int    `json:"services"`
	// Dir is the directory of the devbox.hcl the environment was brought
	// up from; "" for objects made before devbox recorded it.
	Dir string `json:"dir"`
}

// Lister is implemented by backends that can list every devbox project on
// their engine without a devbox.hcl (`devbox ls`).
type Lister interface {
	ListProjects(ctx context.Context) ([]ProjectInfo, error)
}

// ProjectState summarises running of total services: running when all
// are, stopped when none is, partial otherwise. A project with no
// services is stopped.
func ProjectState(running, total int) string {
	switch {
	case total > 0 && running == total:
		return ProjectRunning
	case running == 0:
		return ProjectStopped
	default:
		return ProjectPartial
	}
}

// FileDir is the absolute directory of env's devbox.hcl, which backends
// record on what they create (in no config hash: moving a checkout must
// not replace anything). "" when env has no file.
func FileDir(env *envfile.Environment) string {
	if env == nil || env.Dir == "" {
		return ""
	}
	if abs, err := filepath.Abs(env.Dir); err == nil {
		return abs
	}
	return env.Dir
}

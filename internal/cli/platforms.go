package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/platform"
)

// host reads what this machine can run (tests inject a Host).
func (a *App) host() platform.Host {
	if a.Host != nil {
		return a.Host()
	}
	return platform.Read()
}

// platformsOf lists the platforms the file's tools ask for, sorted.
func platformsOf(env *envfile.Environment) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range env.Tools {
		if t.Platform != "" && !seen[t.Platform] {
			seen[t.Platform] = true
			out = append(out, t.Platform)
		}
	}
	sort.Strings(out)
	return out
}

// engineOnThisHost reports whether env's backend runs on this machine's
// kernel, so that this machine's platforms are the ones that count. A
// remote Incus or Docker host has its own.
func (a *App) engineOnThisHost(env *envfile.Environment) bool {
	switch env.Backend {
	case "docker":
		h := env.Docker.Host
		if h == "" {
			h = a.Getenv("DOCKER_HOST")
		}
		return h == "" || strings.HasPrefix(h, "unix://")
	default:
		return env.LXC.Remote == "" || env.LXC.Remote == "local"
	}
}

// checkToolPlatform fails, before anything is created, when the tool's
// platform cannot run here: with why and the fix, not the container's
// "exec format error".
func (a *App) checkToolPlatform(env *envfile.Environment, t *envfile.Tool) error {
	if t.Platform == "" || !a.engineOnThisHost(env) {
		return nil
	}
	if err := platform.Decide(a.host(), t.Platform).Err(); err != nil {
		return fmt.Errorf("tool %q: %w", t.Name, err)
	}
	return nil
}

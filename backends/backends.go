package backends

import (
	"context"
	"fmt"
	"os"
	"os/exec"

	"github.com/devbox-dev/devbox/backends/docker"
	"github.com/devbox-dev/devbox/backends/lxc"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Names lists the backends, default first.
var Names = []string{"lxc", "docker"}

// Open connects to the named backend with the environment's settings.
func Open(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
	switch name {
	case "docker":
		return docker.New(ctx, env.Docker)
	case "lxc", "":
		return lxc.New(ctx, env.LXC)
	default:
		return nil, fmt.Errorf("unknown backend %q: want lxc or docker", name)
	}
}

// Hint says how to install and start an engine, for doctor.
type Hint struct {
	Engine    string // "Docker", "Incus"
	Daemon    string // the daemon binary devbox looks for
	Installed bool
	Install   string // command that installs it
	Start     string // command that starts it
}

// HintFor returns what doctor tells the user about the named backend.
func HintFor(name string) Hint {
	switch name {
	case "docker":
		h := Hint{Engine: "Docker", Daemon: "dockerd",
			Install: "apt-get install --no-install-recommends docker.io",
			Start:   "systemctl start docker   # or, without systemd: dockerd >/var/log/dockerd.log 2>&1 &"}
		_, err := exec.LookPath("dockerd")
		h.Installed = err == nil
		return h
	default:
		h := Hint{Engine: "Incus", Daemon: "/usr/libexec/incus/incusd",
			Install: "apt-get install -t bookworm-backports --no-install-recommends incus-base",
			Start:   "systemctl start incus   # or: /usr/libexec/incus/incusd --group root & incus admin waitready"}
		_, err := os.Stat(h.Daemon)
		h.Installed = err == nil
		return h
	}
}

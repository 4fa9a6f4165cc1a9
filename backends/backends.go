package backends

import (
	"context"
	"os"
	"os/exec"

	"github.com/devbox-dev/devbox/backends/docker"
	"github.com/devbox-dev/devbox/backends/lxc"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/registry"
)

// Registry lists devbox's engines, the default first: lxc, then docker.
func Registry() registry.Registry { return registry.Registry{LXC(), Docker()} }

// LXC describes the Incus backend.
func LXC() registry.Backend {
	const daemon = "/usr/libexec/incus/incusd"
	return registry.Backend{
		Name: "lxc",
		Open: func(ctx context.Context, env *envfile.Environment) (engine.Backend, error) {
			b, err := lxc.New(ctx, env.LXC)
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return b, nil
		},
		Daemon: daemon,
		Installed: func() bool {
			_, err := os.Stat(daemon)
			return err == nil
		},
		Install: "apt-get install -t bookworm-backports --no-install-recommends incus-base",
		Start:   "systemctl start incus   # or: " + daemon + " --group root & incus admin waitready",
	}
}

// Docker describes the Docker backend.
func Docker() registry.Backend {
	const daemon = "dockerd"
	return registry.Backend{
		Name: "docker",
		Open: func(ctx context.Context, env *envfile.Environment) (engine.Backend, error) {
			b, err := docker.New(ctx, env.Docker)
			if err != nil {
				return nil, err
			}
			return b, nil
		},
		Daemon: daemon,
		Installed: func() bool {
			_, err := exec.LookPath(daemon)
			return err == nil
		},
		Install: "apt-get install --no-install-recommends docker.io",
		Start:   "systemctl start docker   # or, without systemd: dockerd >/var/log/dockerd.log 2>&1 &",
	}
}

package docker

import (
	"context"
	"fmt"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/images"
)

var _ engine.Doctor = (*Backend)(nil)

// Fix commands doctor suggests.
const (
	FixDaemon = "dockerd &  # or: systemctl start docker"
	FixSetup  = "bash .ci/setup  # imports debian:12 and devbox/busybox"
)

// Diagnose is doctor without a backend: it connects to the daemon itself,
// so it also reports a daemon that is down.
func Diagnose(ctx context.Context, cfg envfile.DockerConfig, env *envfile.Environment) []engine.Check {
	b, err := New(ctx, cfg)
	if err != nil {
		return []engine.Check{{Name: "docker daemon", OK: false, Detail: err.Error(), Fix: FixDaemon}}
	}
	defer b.Close()
	return b.Doctor(ctx, env)
}

// Doctor checks the daemon (version, API), the storage driver and cgroup
// setup, and that the environment's images are present; each failed check
// carries the command that fixes it.
func (b *Backend) Doctor(ctx context.Context, env *envfile.Environment) []engine.Check {
	var out []engine.Check
	v, err := b.cli.ServerVersion(ctx)
	if err != nil {
		return append(out, engine.Check{Name: "docker daemon", Detail: fmt.Sprintf("cannot reach the Docker daemon at %s: %v", b.Endpoint(), err), Fix: FixDaemon})
	}
	out = append(out, engine.Check{Name: "docker daemon", OK: true,
		Detail: fmt.Sprintf("Docker %s at %s (API %s, client uses %s)", v.Version, b.Endpoint(), v.APIVersion, b.cli.ClientVersion())})
	info, err := b.cli.Info(ctx)
	if err != nil {
		out = append(out, engine.Check{Name: "docker info", Detail: err.Error(), Fix: FixDaemon})
	} else {
		c := engine.Check{Name: "storage driver", OK: info.Driver != "", Detail: info.Driver}
		switch info.Driver {
		case "":
			c.Detail, c.Fix = "unknown", "check dockerd's log"
		case "vfs":
			c.Detail += " (works, but every image step copies the whole filesystem: slow; overlay2 is better)"
		}
		out = append(out, c)
		out = append(out, engine.Check{Name: "cgroups", OK: true,
			Detail: fmt.Sprintf("cgroup v%s, %s driver (systemd services use a private cgroup namespace)", orNone(info.CgroupVersion), info.CgroupDriver)})
	}
	if env == nil {
		return out
	}
	seen := map[string]bool{}
	check := func(ref, what string) {
		if seen[ref] {
			return
		}
		seen[ref] = true
		c := engine.Check{Name: what + " " + ref}
		img, err := b.cli.ImageInspect(ctx, ref)
		switch {
		case err == nil:
			c.OK, c.Detail = true, fmt.Sprintf("present (%s, %d MB)", shortID(img.ID), img.Size/1e6)
		case notFound(err):
			c.Detail = "not present locally (devbox up will try to pull it)"
			c.Fix = "docker pull " + ref
			if ref == "debian:12" || ref == "devbox/busybox:latest" || ref == "devbox/busybox" {
				c.Fix = FixSetup
			}
		default:
			c.Detail = err.Error()
		}
		out = append(out, c)
	}
	if env.Image != "" {
		check(images.Docker(env.Image), "base image")
	}
	for _, s := range env.Services {
		if s.Docker.Image != "" {
			check(s.Docker.Image, "image of service "+s.Name+":")
		}
	}
	return out
}

func shortID(id string) string {
	if len(id) > 19 && id[:7] == "sha256:" {
		return id[7:19]
	}
	return id
}

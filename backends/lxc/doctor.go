package lxc

import (
	"context"
	"fmt"
	"strings"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Doctor checks the Incus setup devbox needs: the daemon, a storage pool
// behind the default profile's root disk, the base image, and the networks
// env asks for. Every failure says how to fix it.
func (b *Backend) Doctor(ctx context.Context, env *envfile.Environment) []engine.Check {
	var checks []engine.Check
	srv, _, err := b.c.GetServer()
	if err != nil {
		return append(checks, engine.Check{Name: "incus daemon", Detail: fmt.Sprintf("cannot reach incusd at %s: %v", b.endpoint, err),
			Fix: "incusd --group root & incus admin waitready (or systemctl start incus)"})
	}
	checks = append(checks, engine.Check{Name: "incus daemon", OK: true,
		Detail: fmt.Sprintf("incus %s at %s (kernel %s)", srv.Environment.ServerVersion, b.endpoint, srv.Environment.KernelVersion)})

	pool, err := b.pool(ctx)
	if err != nil {
		checks = append(checks, engine.Check{Name: "storage pool", Detail: err.Error(),
			Fix: "incus storage create default dir && incus profile device add default root disk path=/ pool=default"})
	} else if p, _, err := b.c.GetStoragePool(pool); err != nil {
		checks = append(checks, engine.Check{Name: "storage pool", Detail: fmt.Sprintf("pool %q of the default profile's root disk: %v", pool, err),
			Fix: "incus storage create " + pool + " dir"})
	} else {
		checks = append(checks, engine.Check{Name: "storage pool", OK: true, Detail: fmt.Sprintf("%s (%s), root disk of the default profile", p.Name, p.Driver)})
	}

	shift := srv.Environment.KernelFeatures["idmapped_mounts"] == "true"
	c := engine.Check{Name: "idmapped mounts", OK: true, Detail: "mounts keep host ownership (shift=true)"}
	if !shift {
		c.Detail = "the kernel cannot shift mounts; devbox falls back to raw.idmap"
	}
	checks = append(checks, c)

	if env == nil {
		return checks
	}
	if env.Image != "" {
		if img, err := b.resolveImage(ctx, env.Image); err != nil {
			checks = append(checks, engine.Check{Name: "image " + env.Image, Detail: err.Error(),
				Fix: "incus image import FILE --alias " + env.Image + ", or: incus image copy images:" + env.Image + " local: --alias " + env.Image})
		} else {
			where := "local"
			if img.Remote != "" {
				where = "remote " + img.Remote
			}
			checks = append(checks, engine.Check{Name: "image " + env.Image, OK: true,
				Detail: fmt.Sprintf("%s, %s", where, img.Image.Fingerprint[:12])})
		}
	}
	checks = append(checks, b.networkChecks(ctx, env)...)
	return checks
}

func (b *Backend) networkChecks(ctx context.Context, env *envfile.Environment) []engine.Check {
	var checks []engine.Check
	nets, err := b.c.GetNetworks()
	if err != nil {
		return append(checks, engine.Check{Name: "networks", Detail: err.Error(), Fix: "incus network list"})
	}
	var managed []string
	for _, n := range nets {
		if n.Managed && n.Type == "bridge" {
			managed = append(managed, n.Name)
		}
	}
	checks = append(checks, engine.Check{Name: "managed bridges", OK: true, Detail: fmt.Sprintf("%d: %s", len(managed), strings.Join(managed, ", "))})
	for _, n := range networks(env) {
		name := "network " + n.Name
		switch n.Mode {
		case envfile.NetworkBridged:
			if err := b.checkParent(n); err != nil {
				checks = append(checks, engine.Check{Name: name, Detail: err.Error(),
					Fix: "ip link add " + n.Parent + " type bridge && ip link set " + n.Parent + " up"})
			} else {
				checks = append(checks, engine.Check{Name: name, OK: true, Detail: "bridged on " + n.Parent})
			}
		default:
			if n.Subnet != "" {
				if err := b.checkSubnet(ctx, env.Project, n); err != nil {
					checks = append(checks, engine.Check{Name: name, Detail: err.Error(), Fix: "pick another subnet, or leave it out to have devbox pick one"})
					continue
				}
			}
			checks = append(checks, engine.Check{Name: name, OK: true, Detail: n.Mode + " bridge " + NetworkName(env.Project, n.Name)})
		}
	}
	return checks
}

package envfile

import (
	"fmt"
	"strconv"

	"github.com/hashicorp/hcl/v2"
)

// Limits on the names the engines derive from the file's names. Each name
// in the file is a DNS label of at most 63 characters, but the backends
// join them with the project's (backends/docker ContainerName and
// NetworkName, the device names of backends/lxc host.go and network.go),
// and an engine that refuses or mishandles the result does so at create,
// after earlier networks and volumes were made. These checks run first.
const (
	// MaxDockerName is the longest container and network name that still
	// resolves: Docker's DNS answers <container>.<network>, one DNS label
	// each, and longer names break name resolution between containers
	// (moby/moby#37971, #35488).
	MaxDockerName = 63
	// MaxIncusDevice is Incus's limit on instance device names ("The
	// maximum device name length is 64 characters").
	MaxIncusDevice = 64
)

// engineNames reports names whose engine-derived forms are too long for
// the backend in use; the other backend's limits do not apply to it.
func (p *parser) engineNames() {
	switch p.env.Backend {
	case "docker":
		p.dockerNames()
	case "lxc":
		p.lxcNames()
	}
}

// projectHint is how to shorten the project name.
func (p *parser) projectHint() string {
	if p.projectRng != nil {
		return fmt.Sprintf("project = %q at %s", p.env.Project, *p.projectRng)
	}
	return fmt.Sprintf("the project name %q (set a shorter one with project = \"...\" or -p NAME)", p.env.Project)
}

// label is where the file names a block: its label, or def when the name
// was not recorded (an invalid name, reported already).
func (p *parser) label(kind, name string, def hcl.Range) hcl.Range {
	if r, ok := p.names[kind][name]; ok {
		return r
	}
	return def
}

// tooLong reports a derived name over limit at rng.
func (p *parser) tooLong(rng hcl.Range, engine, what, derived string, limit int, why, shorten string) {
	p.errorf(rng, "Name too long for "+engine,
		"The %s backend names %s %q: %d characters, more than the %d %s. Shorten %s.",
		engine, what, derived, len(derived), limit, why, shorten)
}

func (p *parser) dockerNames() {
	const why = "a DNS label allows (Docker's DNS would not resolve it)"
	proj := p.env.Project
	var defaultNet *Service
	for i, s := range p.env.Services {
		rng := p.label("service", s.Name, s.Range)
		if n := proj + "-" + s.Name; len(n) > MaxDockerName {
			p.tooLong(rng, "docker", fmt.Sprintf("service %q's container", s.Name), n, MaxDockerName, why,
				"the service name or "+p.projectHint())
		}
		if len(s.Networks) == 0 && defaultNet == nil {
			defaultNet = &p.env.Services[i]
		}
	}
	for _, n := range p.env.Networks {
		if d := proj + "_" + n.Name; len(d) > MaxDockerName {
			p.tooLong(p.label("network", n.Name, n.Range), "docker", fmt.Sprintf("network %q", n.Name), d, MaxDockerName, why,
				"the network name or "+p.projectHint())
		}
	}
	// Services without networks join the project's "default" network.
	if d := proj + "_default"; defaultNet != nil && len(d) > MaxDockerName {
		rng := p.label("service", defaultNet.Name, defaultNet.Range)
		if p.projectRng != nil {
			rng = *p.projectRng
		}
		p.tooLong(rng, "docker", "the default network (of services without networks)", d, MaxDockerName, why, p.projectHint())
	}
}

func (p *parser) lxcNames() {
	const why = "Incus allows in a device name"
	for _, m := range p.env.Mounts {
		if d := "mount-" + m.Name; len(d) > MaxIncusDevice {
			p.tooLong(p.label("mount", m.Name, m.Range), "lxc", fmt.Sprintf("mount %q's disk device", m.Name), d, MaxIncusDevice, why, "the mount name")
		}
	}
	for _, n := range p.env.Networks {
		if d := "net-" + n.Name; len(d) > MaxIncusDevice {
			p.tooLong(p.label("network", n.Name, n.Range), "lxc", fmt.Sprintf("network %q's NIC device", n.Name), d, MaxIncusDevice, why, "the network name")
		}
	}
	// Volume devices are vol-<volume>-<index> over the distinct (volume,
	// path) attachments of all services; the largest index bounds them.
	type attach struct{ vol, path string }
	distinct := map[attach]bool{}
	for _, s := range p.env.Services {
		for v, path := range s.Volumes {
			distinct[attach{v, path}] = true
		}
	}
	last := strconv.Itoa(max(len(distinct)-1, 0))
	reported := map[string]bool{}
	for i, s := range p.env.Services {
		for _, e := range p.services[i].volumes {
			if d := "vol-" + e.key + "-" + last; len(d) > MaxIncusDevice && !reported[e.key] {
				reported[e.key] = true
				p.tooLong(e.keyRng, "lxc", fmt.Sprintf("volume %q's disk device", e.key), d, MaxIncusDevice, why, "the volume name")
			}
		}
		for j, pt := range s.Ports {
			if pt.Host == 0 {
				continue
			}
			d := fmt.Sprintf("port-%s-%d-%s", s.Name, pt.Host, pt.Protocol)
			if len(d) > MaxIncusDevice {
				p.tooLong(p.services[i].ports[j].host, "lxc", fmt.Sprintf("service %q's forward of host port %d", s.Name, pt.Host),
					d, MaxIncusDevice, why, "the service name")
			}
		}
	}
}

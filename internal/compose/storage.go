package compose

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// mountDef is a top-level mount block: one per (source, target, read_only).
type mountDef struct {
	name, source, target string
	readOnly             bool
}

// ports maps ports and expose into port blocks; a mapped server's own
// port is declared when the compose file does not, as the image's EXPOSE
// would (discovery variables need it).
func (c *converter) ports(b *hclwrite.Body, name string, s types.ServiceConfig, srv server) {
	used := map[string]bool{}
	seen := map[string]bool{}
	block := func(pname string, target int, host int, hostIP, proto string) {
		key := fmt.Sprint(target, "/", proto, "/", host)
		if seen[key] {
			return
		}
		seen[key] = true
		n, i := pname, 2
		for used[n] {
			n, i = fmt.Sprintf("%s-%d", pname, i), i+1
		}
		used[n] = true
		pb := b.AppendNewBlock("port", []string{n}).Body()
		pb.SetAttributeValue("port", cty.NumberIntVal(int64(target)))
		if host != 0 {
			pb.SetAttributeValue("host", cty.NumberIntVal(int64(host)))
			if hostIP != "" && hostIP != "127.0.0.1" {
				pb.SetAttributeValue("host_ip", cty.StringVal(hostIP))
			}
		}
		if proto != "tcp" {
			pb.SetAttributeValue("protocol", cty.StringVal(proto))
		}
	}
	hasServerPort := false
	for _, p := range s.Ports {
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		if proto != "tcp" && proto != "udp" {
			c.row(name, "ports", "%d/%s: devbox forwards tcp and udp only", p.Target, proto)
			continue
		}
		host := 0
		if p.Published != "" {
			n, err := strconv.Atoi(p.Published)
			if err != nil {
				c.row(name, "ports", "published %q for %d: devbox forwards one host port per port, not a range; forwarded nothing", p.Published, p.Target)
			} else {
				host = n
			}
		} else {
			c.row(name, "ports", "%d: Compose publishes it on a random host port; devbox forwards fixed ports only (add host = PORT)", p.Target)
		}
		if int(p.Target) == srv.port && proto == "tcp" {
			hasServerPort = true
		}
		block(portName(p, srv, proto), int(p.Target), host, p.HostIP, proto)
	}
	for _, e := range s.Expose {
		n, err := strconv.Atoi(e)
		if err != nil {
			c.row(name, "expose", "%q: devbox declares single ports, not ranges", e)
			continue
		}
		hasServerPort = hasServerPort || n == srv.port
		block(portName(types.ServicePortConfig{Target: uint32(n)}, srv, "tcp"), n, 0, "", "tcp")
	}
	if srv.port != 0 && !hasServerPort {
		block(srv.portName, srv.port, 0, "", "tcp")
	}
}

// portName names a port block: the compose port's name, the server's
// name for its own port, else p<number>.
func portName(p types.ServicePortConfig, srv server, proto string) string {
	n := fmt.Sprintf("p%d", p.Target)
	switch {
	case p.Name != "":
		n = label(p.Name)
	case srv.port != 0 && int(p.Target) == srv.port && proto == "tcp":
		n = srv.portName
	}
	if proto == "udp" {
		n += "-udp"
	}
	return n
}

// storage maps volumes: bind mounts to mount blocks, named volumes to
// volume blocks.
func (c *converter) storage(b *hclwrite.Body, name string, s types.ServiceConfig) {
	var mounts []string
	vols := map[string]string{}
	for _, v := range s.Volumes {
		switch v.Type {
		case types.VolumeTypeBind:
			if m, ok := c.bind(name, v); ok {
				mounts = append(mounts, m)
			}
		case types.VolumeTypeVolume:
			vn := ""
			if v.Source == "" {
				vn = label(c.names[name] + "-" + filepath.Base(v.Target))
				comment(b, fmt.Sprintf("%s: an anonymous volume in Compose; a named one here (it survives destroy)", v.Target))
			} else {
				vn = c.rename(name, "volume", v.Source)
				if cfg, ok := c.p.Volumes[v.Source]; ok {
					if cfg.External {
						c.row(name, "volumes."+v.Source, "external: devbox creates and owns its volumes; the data of the existing volume is not used")
					}
					if cfg.Driver != "" && cfg.Driver != "local" || len(cfg.DriverOpts) > 0 {
						c.row(name, "volumes."+v.Source, "driver %q and driver_opts: devbox volumes are the engine's default", cfg.Driver)
					}
				}
			}
			if v.ReadOnly {
				c.row(name, "volumes."+vn, "read-only: devbox mounts volumes read-write")
			}
			c.vols[vn] = true
			vols[vn] = v.Target
		default:
			c.row(name, "volumes", "%s %s: devbox has no %s mounts", v.Type, v.Target, v.Type)
		}
	}
	if len(vols) > 0 {
		keys := make([]string, 0, len(vols))
		for k := range vols {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.SetAttributeRaw("volumes", strMap(keys, vols))
	}
	if len(mounts) > 0 {
		b.SetAttributeValue("mounts", strVals(mounts))
	}
}

// bind declares (or reuses) the mount block of a bind mount.
func (c *converter) bind(name string, v types.ServiceVolumeConfig) (string, bool) {
	if !c.inside(v.Source) {
		c.row(name, "volumes", "%s:%s: the source is outside the project directory %s; devbox mounts the project's own files (or a path the user allows with --allow-mount)", v.Source, v.Target, c.dir)
		return "", false
	}
	if _, err := os.Stat(v.Source); err != nil {
		c.row(name, "volumes", "%s does not exist: Compose creates it, devbox up needs it (mkdir -p %s)", c.rel(v.Source), c.rel(v.Source))
	}
	for _, m := range c.mounts {
		if m.source == v.Source && m.target == v.Target && m.readOnly == v.ReadOnly {
			return m.name, true
		}
	}
	base := filepath.Base(v.Source)
	if v.Source == c.dir {
		base = "project"
	}
	n, i := label(base), 2
	for c.hasMount(n) {
		n, i = fmt.Sprintf("%s-%d", label(base), i), i+1
	}
	c.mounts = append(c.mounts, mountDef{name: n, source: v.Source, target: v.Target, readOnly: v.ReadOnly})
	return n, true
}

func (c *converter) hasMount(name string) bool {
	for _, m := range c.mounts {
		if m.name == name {
			return true
		}
	}
	return false
}

// networks maps the service's networks; a service only on Compose's
// default network gets devbox's default (no networks attribute).
func (c *converter) networks(b *hclwrite.Body, name string, s types.ServiceConfig) {
	only := true
	for n := range s.Networks {
		only = only && n == "default"
	}
	if only {
		return
	}
	var nets []string
	for n, cfg := range s.Networks {
		nets = append(nets, c.rename(name, "network", n))
		c.nets[n] = true
		if cfg != nil && (len(cfg.Aliases) > 0 || cfg.Ipv4Address != "" || cfg.Ipv6Address != "" || cfg.MacAddress != "") {
			c.row(name, "networks."+n, "aliases, fixed addresses and MAC addresses: devbox names a service by its name only")
		}
	}
	sort.Strings(nets)
	b.SetAttributeValue("networks", strVals(nets))
}

package envfile

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/devbox-dev/devbox/platform"
)

// Service and tool defaults.
const (
	DefaultRestart        = "on-failure"
	DefaultProtocol       = "tcp"
	DefaultHostIP         = "127.0.0.1"
	DefaultHealthInterval = Duration(2 * time.Second)
	DefaultHealthTimeout  = Duration(5 * time.Second)
	DefaultHealthRetries  = 30
)

var restartPolicies = map[string]bool{"no": true, "always": true, "on-failure": true, "unless-stopped": true}

// serviceSrc remembers where a service's references came from, for the
// cross-checks in validate.go.
type serviceSrc struct {
	dependsOn, mounts, networks []item
	volumes                     []entry
	ports                       []portSrc
}

// portSrc holds the ranges of a port block's port and host values.
type portSrc struct {
	port, host hcl.Range
}

func (p *parser) service(b *hcl.Block) {
	c := p.content(b.Body, serviceSchema)
	at := c.Attributes
	s := Service{Name: b.Labels[0], Restart: DefaultRestart, Range: b.DefRange}
	var src serviceSrc
	s.Packages = values(p.strList(at["packages"]))
	s.Provision = values(p.strList(at["provision"]))
	p.process(at, &s)
	p.envFiles(at["env_file"], &s)
	s.Profiles = p.profiles(at["profiles"])
	src.volumes = p.strMap(at["volumes"])
	for _, e := range src.volumes {
		p.absPath(e.valRng, "volume target", e.val)
	}
	s.Volumes = toMap(src.volumes)
	src.mounts = p.strList(at["mounts"])
	s.Mounts = values(src.mounts)
	src.networks = p.strList(at["networks"])
	s.Networks = values(src.networks)
	src.dependsOn = p.strList(at["depends_on"])
	s.DependsOn = values(src.dependsOn)
	if r, ok := p.str(at["restart"]); ok {
		s.Restart = r
		if !restartPolicies[r] {
			p.errorf(at["restart"].Expr.Range(), "Invalid restart policy",
				`Restart policy %q is not supported; use "no", "always", "on-failure" or "unless-stopped".`, r)
		}
	}
	s.Systemd = p.boolean(at["systemd"])
	s.Replicas = p.replicas(at["replicas"])

	var health, docker *hcl.Block
	portNames := map[string]hcl.Range{}
	for _, blk := range c.Blocks {
		p.where = "services." + s.Name + "." + blk.Type
		if blk.Type == "port" {
			p.where = "services." + s.Name + ".ports." + blk.Labels[0]
		}
		switch blk.Type {
		case "port":
			p.checkName("port", blk.Labels[0], blk.LabelRanges[0], portNames)
			pt, ps := p.port(blk)
			s.Ports = append(s.Ports, pt)
			src.ports = append(src.ports, ps)
		case "health":
			if p.single(blk, &health) {
				s.Health = p.health(blk)
			}
		case "docker":
			if p.single(blk, &docker) {
				dc := p.content(blk.Body, serviceDockerSchema)
				s.Docker.Image, _ = p.str(dc.Attributes["image"])
			}
		}
	}
	p.where = "services." + s.Name
	p.checkReplicaPorts(&s, src.ports)
	if len(s.Command) == 0 && s.Docker.Image == "" {
		rng := b.DefRange
		if a := at["command"]; a != nil {
			rng = a.Expr.Range()
		}
		p.errorf(rng, "Service has no command",
			`Service %q does not say what to run; add command = ["program", "arg"], or docker { image = "..." } to use an image's own command.`, s.Name)
	}
	p.env.Services = append(p.env.Services, s)
	p.services = append(p.services, src)
}

// process decodes what a service runs and how: command, user, workdir
// and env, checking the values the lxc backend writes into unit files.
func (p *parser) process(at hcl.Attributes, s *Service) {
	cmd := p.strList(at["command"])
	for i, it := range cmd {
		p.unitSafe(it.rng, fmt.Sprintf("command[%d]", i), it.val, i > 0)
	}
	s.Command = values(cmd)
	if u, ok := p.str(at["user"]); ok {
		s.User = u
		p.unitSafe(at["user"].Expr.Range(), "user", u, false)
	}
	if w, ok := p.str(at["workdir"]); ok {
		s.Workdir = w
		p.absPath(at["workdir"].Expr.Range(), "workdir", w)
		p.unitSafe(at["workdir"].Expr.Range(), "workdir", w, false)
	}
	env := p.strMap(at["env"])
	for _, e := range env {
		p.checkEnvName(e.keyRng, e.key)
		p.unitSafe(e.valRng, "env."+e.key, e.val, true)
	}
	s.Env = toMap(env)
}

func (p *parser) port(b *hcl.Block) (Port, portSrc) {
	c := p.content(b.Body, portSchema)
	at := c.Attributes
	pt := Port{Name: b.Labels[0], Protocol: DefaultProtocol, Range: b.DefRange}
	ps := portSrc{port: b.DefRange, host: b.DefRange}
	if a := at["port"]; a != nil {
		ps.port = a.Expr.Range()
		if n, ok := p.integer(a); ok {
			pt.Port = n
			if n < 1 || n > 65535 {
				p.errorf(ps.port, "Invalid port", "Port %d is out of range; ports are 1 to 65535.", n)
			}
		}
	} else {
		p.errorf(b.DefRange, "Missing port number", "Port %q needs port = NUMBER, the port the service listens on inside the container.", pt.Name)
	}
	if a := at["host"]; a != nil {
		ps.host = a.Expr.Range()
		if n, ok := p.integer(a); ok {
			pt.Host = n
			if n < 0 || n > 65535 {
				p.errorf(ps.host, "Invalid host port", "Host port %d is out of range; use 1 to 65535, or leave host out to not forward the port.", n)
			}
		}
	}
	if s, ok := p.str(at["host_ip"]); ok {
		pt.HostIP = s
		rng := at["host_ip"].Expr.Range()
		if _, err := netip.ParseAddr(s); err != nil {
			p.errorf(rng, "Invalid host_ip", `%q is not an IP address; write e.g. "127.0.0.1" or "0.0.0.0" (all interfaces).`, s)
		} else if pt.Host == 0 {
			p.errorf(rng, "host_ip without host", "host_ip only applies to forwarded ports; add host = PORT, or remove host_ip.")
		}
	}
	if pt.Host != 0 && pt.HostIP == "" {
		pt.HostIP = DefaultHostIP
	}
	if s, ok := p.str(at["protocol"]); ok {
		pt.Protocol = s
		if s != "tcp" && s != "udp" {
			p.errorf(at["protocol"].Expr.Range(), "Invalid protocol", `Protocol %q is not supported; use "tcp" or "udp".`, s)
		}
	}
	return pt, ps
}

func (p *parser) health(b *hcl.Block) *Health {
	c := p.content(b.Body, healthSchema)
	at := c.Attributes
	h := &Health{Interval: DefaultHealthInterval, Timeout: DefaultHealthTimeout, Retries: DefaultHealthRetries}
	h.Command = values(p.strList(at["command"]))
	if len(h.Command) == 0 {
		rng := b.DefRange
		if a := at["command"]; a != nil {
			rng = a.Expr.Range()
		}
		p.errorf(rng, "Health check has no command", `Add command = ["program", "arg"] to the health block; it passes when the command exits 0.`)
	}
	p.duration(at["interval"], &h.Interval)
	p.duration(at["timeout"], &h.Timeout)
	if n, ok := p.integer(at["retries"]); ok {
		h.Retries = n
		if n < 1 {
			p.errorf(at["retries"].Expr.Range(), "Invalid retries", "retries is how many failed checks are tolerated and must be at least 1, got %d.", n)
		}
	}
	return h
}

// duration decodes an optional positive Go duration string into d.
func (p *parser) duration(a *hcl.Attribute, d *Duration) {
	s, ok := p.str(a)
	if !ok {
		return
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		p.errorf(a.Expr.Range(), "Invalid duration", `%s = %q is not a positive duration; write e.g. "500ms", "2s" or "1m".`, a.Name, s)
		return
	}
	*d = Duration(v)
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// envMap decodes an env map, checking the variable names.
func (p *parser) envMap(a *hcl.Attribute) map[string]string {
	entries := p.strMap(a)
	for _, e := range entries {
		p.checkEnvName(e.keyRng, e.key)
	}
	return toMap(entries)
}

// unitSafe reports control characters that would break out of the line
// a value is written on: the lxc backend writes services into systemd unit
// files, one setting a line, and a newline in User= or WorkingDirectory=
// would add settings of the file's choosing (ExecStartPre=, say). NUL can
// never be passed to a program, in an argument or the environment.
// Quoted values (env values, command arguments after the program) are
// written with C escapes, so multi-line scripts keep working; they only
// must not hold NUL.
func (p *parser) unitSafe(rng hcl.Range, what, val string, quoted bool) {
	bad := "\x00"
	if !quoted {
		bad = "\x00\n\r"
	}
	i := strings.IndexAny(val, bad)
	if i < 0 {
		return
	}
	names := map[byte]string{0: "a NUL byte (\\0)", '\n': "a newline (\\n)", '\r': "a carriage return (\\r)"}
	why := "a program cannot receive it in an argument or its environment"
	if val[i] != 0 {
		why = "the lxc backend writes it on one line of a systemd unit file, where a line break would add settings of its own"
	}
	p.errorf(rng, "Control character in "+what, "%s contains %s at byte %d: %s. Remove it.", what, names[val[i]], i, why)
}

func (p *parser) checkEnvName(rng hcl.Range, name string) {
	if !envName.MatchString(name) {
		p.errorf(rng, "Invalid environment variable name",
			"%q is not a valid environment variable name; use letters, digits and underscores, not starting with a digit (e.g. MY_VAR).", name)
	}
}

func (p *parser) tool(b *hcl.Block) {
	c := p.content(b.Body, toolSchema)
	at := c.Attributes
	t := Tool{Name: b.Labels[0], Image: p.env.Image, Range: b.DefRange}
	if s, ok := p.str(at["image"]); ok {
		t.Image = s
	}
	if s, ok := p.str(at["platform"]); ok {
		t.Platform = s
		if _, ok := platform.Lookup(s); !ok {
			p.errorf(at["platform"].Expr.Range(), "Invalid platform",
				`Platform %q is not supported; use one of %s.`, s, strings.Join(platform.Names(), ", "))
		}
	}
	t.Packages = values(p.strList(at["packages"]))
	t.Provision = values(p.strList(at["provision"]))
	t.Command = values(p.strList(at["command"]))
	if len(t.Command) == 0 {
		rng := b.DefRange
		if a := at["command"]; a != nil {
			rng = a.Expr.Range()
		}
		p.errorf(rng, "Tool has no command", `Tool %q does not say what to run; add command = ["program", "arg"].`, t.Name)
	}
	t.Env = p.envMap(at["env"])
	for _, it := range p.strList(at["pass_env"]) {
		p.checkEnvName(it.rng, it.val)
		t.PassEnv = append(t.PassEnv, it.val)
	}
	p.env.Tools = append(p.env.Tools, t)
}

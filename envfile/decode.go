package envfile

import (
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Defaults filled in when the file leaves a value out.
const (
	DefaultBackend   = "lxc"
	DefaultImage     = "debian/12"
	DefaultLXCRemote = "local"
	DefaultProfile   = "default"
)

// parser holds the state of one decode: the environment being built and,
// for the cross-checks in validate.go, where each reference came from.
type parser struct {
	decoder
	env      *Environment
	opts     Options
	services []serviceSrc                    // aligned with env.Services
	names    map[string]map[string]hcl.Range // block type -> name -> label range
	// projectRng is where the file sets project; nil when the project
	// comes from the directory name or -p.
	projectRng *hcl.Range
}

// declare checks a labelled block's name and records it among its kind.
func (p *parser) declare(b *hcl.Block) {
	if p.names[b.Type] == nil {
		p.names[b.Type] = map[string]hcl.Range{}
	}
	p.checkName(b.Type, b.Labels[0], b.LabelRanges[0], p.names[b.Type])
}

// decodeFile runs stages 2 and 3 on a parsed body.
func decodeFile(body hcl.Body, file string, opts Options) (*Environment, hcl.Diagnostics) {
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	dir := filepath.Dir(file)
	p := &parser{opts: opts, env: &Environment{File: file, Dir: dir}, names: map[string]map[string]hcl.Range{}}
	p.use = newHostUse(dir, opts)
	content, diags := body.Content(rootSchema)
	p.diags = diags

	// Stage 2: variables, evaluated with functions only.
	p.ctx = &hcl.EvalContext{Functions: functions(dir, opts.LookupEnv, p.use)}
	vars := p.variables(content.Blocks)
	p.ctx.Variables = map[string]cty.Value{"var": cty.ObjectVal(vars)}

	// Stage 3: everything else, in file order.
	p.where = ""
	p.top(content.Attributes)
	var lxc, docker *hcl.Block
	for _, b := range content.Blocks {
		p.where = blockPath(b)
		switch b.Type {
		case "lxc":
			if p.single(b, &lxc) {
				p.lxc(b)
			}
		case "docker":
			if p.single(b, &docker) {
				p.docker(b)
			}
		case "network":
			p.declare(b)
			p.network(b)
		case "mount":
			p.declare(b)
			p.mount(b)
		case "volume":
			p.declare(b)
			p.volume(b)
		case "service":
			p.declare(b)
			p.service(b)
		case "tool":
			p.declare(b)
			p.tool(b)
		}
	}
	// Empty rather than nil lists, so JSON shows [] instead of null.
	env := p.env
	if env.Networks == nil {
		env.Networks = []Network{}
	}
	if env.Mounts == nil {
		env.Mounts = []Mount{}
	}
	if env.Volumes == nil {
		env.Volumes = []Volume{}
	}
	if env.Services == nil {
		env.Services = []Service{}
	}
	if env.Tools == nil {
		env.Tools = []Tool{}
	}
	if lxc == nil {
		p.env.LXC = LXCConfig{Remote: DefaultLXCRemote, Profiles: []string{DefaultProfile}}
	}
	p.validate()
	p.applyProfiles()
	p.use.fill(p.env)
	if !p.diags.HasErrors() {
		p.expandDeclared()
	}
	return p.env, p.diags
}

// blockPath is the configuration path of a top-level block, as recorded
// in Environment.Sources: services.web, lxc.
func blockPath(b *hcl.Block) string {
	if len(b.Labels) == 0 {
		return b.Type
	}
	if b.Type == "variable" {
		return "variables." + b.Labels[0]
	}
	return b.Type + "s." + b.Labels[0]
}

// single records the first block of a kind that may appear once and
// reports any later one.
func (p *parser) single(b *hcl.Block, first **hcl.Block) bool {
	if *first != nil {
		p.errorf(b.DefRange, "Duplicate "+b.Type+" block",
			"Only one %s block is allowed; the first is at %s. Merge the two.", b.Type, (*first).DefRange)
		return false
	}
	*first = b
	return true
}

// content decodes a block body against schema, keeping the diagnostics.
func (p *parser) content(body hcl.Body, schema *hcl.BodySchema) *hcl.BodyContent {
	c, diags := body.Content(schema)
	p.diags = append(p.diags, diags...)
	return c
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// varName is a DNS label that may also contain underscores, so that
// variables read naturally in expressions (var.pg_port).
var varName = regexp.MustCompile(`^[a-z]([a-z0-9_-]{0,61}[a-z0-9])?$`)

// checkName reports an invalid or duplicate name. seen is updated.
func (p *parser) checkName(kind, name string, rng hcl.Range, seen map[string]hcl.Range) bool {
	re, rule := dnsLabel, "a DNS label: 1 to 63 lowercase letters, digits and dashes, starting and ending with a letter or digit"
	if kind == "variable" {
		re, rule = varName, "1 to 63 lowercase letters, digits, dashes and underscores, starting with a letter"
	}
	if !re.MatchString(name) {
		p.errorf(rng, "Invalid "+kind+" name", "%q is not a valid %s name: it must be %s, for example %q.",
			name, kind, rule, sanitizeName(name))
		return false
	}
	if prev, dup := seen[name]; dup {
		p.errorf(rng, "Duplicate "+kind+" name", "A %s named %q is already declared at %s; names must be unique, rename one of them.",
			kind, name, prev)
		return false
	}
	seen[name] = rng
	return true
}

// sanitizeName turns s into a DNS label (used for the default project).
func sanitizeName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := b.String()
	if len(out) > 63 {
		out = out[:63]
	}
	out = strings.Trim(out, "-")
	if out == "" {
		return "devbox"
	}
	return out
}

// variables decodes the variable blocks and applies --var overrides.
func (p *parser) variables(blocks hcl.Blocks) map[string]cty.Value {
	vals := map[string]cty.Value{}
	seen := map[string]hcl.Range{}
	p.names["variable"] = seen
	for _, b := range blocks {
		if b.Type != "variable" {
			continue
		}
		name := b.Labels[0]
		p.where = blockPath(b)
		ok := p.checkName("variable", name, b.LabelRanges[0], seen)
		c := p.content(b.Body, variableSchema)
		p.str(c.Attributes["description"])
		var def cty.Value
		if a := c.Attributes["default"]; a != nil {
			def, _ = p.eval(a.Expr, cty.DynamicPseudoType, "default", true)
		}
		if !ok {
			continue
		}
		if s, set := p.opts.Vars[name]; set {
			def = parseVarOverride(s)
		}
		if def == cty.NilVal {
			p.errorf(b.DefRange, "Missing value for variable", "Variable %q has no default; add default = ... to the block, or pass --var %s=VALUE.", name, name)
			def = cty.DynamicVal
		}
		vals[name] = def
	}
	names := make([]string, 0, len(p.opts.Vars))
	for name := range p.opts.Vars {
		if _, ok := seen[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		p.diags = append(p.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Undeclared variable",
			Detail: fmt.Sprintf("--var %s=... sets a variable that the file does not declare. "+
				"Add variable %q { default = ... } to the file, or fix the name.", name, name),
		})
	}
	return vals
}

// top decodes project, backend and image.
func (p *parser) top(attrs hcl.Attributes) {
	env := p.env
	env.Project = sanitizeName(filepath.Base(env.Dir))
	if s, ok := p.str(attrs["project"]); ok {
		env.Project = s
		p.projectRng = attrs["project"].Expr.Range().Ptr()
		if !dnsLabel.MatchString(s) {
			p.errorf(attrs["project"].Expr.Range(), "Invalid project name",
				"%q is not a DNS label (1 to 63 lowercase letters, digits and dashes); try %q.", s, sanitizeName(s))
		}
	}
	if p.opts.Project != "" {
		env.Project = p.opts.Project
		p.projectRng = nil
		if !dnsLabel.MatchString(env.Project) {
			p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid project name",
				Detail: fmt.Sprintf("The project override %q is not a DNS label (1 to 63 lowercase letters, digits and dashes); try %q.",
					env.Project, sanitizeName(env.Project))})
		}
	}

	// Which names are backends is the caller's registry: CheckBackend.
	env.Backend = DefaultBackend
	if s, ok := p.str(attrs["backend"]); ok {
		env.Backend = s
	}
	if p.opts.Backend != "" {
		env.Backend = p.opts.Backend
	}

	env.Image = DefaultImage
	if s, ok := p.str(attrs["image"]); ok {
		env.Image = s
		if strings.TrimSpace(s) == "" {
			p.errorf(attrs["image"].Expr.Range(), "Empty image", `Set image to a base image such as "debian/12", or remove it for the default.`)
		}
	}
}

// CheckBackend reports env's backend unless it is one of names, the
// backends the caller can open (its registry's, default first). Parse and
// Load leave the choice unchecked, since envfile does not know the
// backends; a caller that opens one runs this on their result, with the
// same files and opts. The diagnostic points at the file's backend
// attribute, or has no subject when the name came from opts.Backend or
// the default.
func CheckBackend(env *Environment, files Files, opts Options, names []string) hcl.Diagnostics {
	if slices.Contains(names, env.Backend) {
		return nil
	}
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid backend"}
	use := "use " + quotedChoice(names)
	if len(names) == 0 {
		use = "this devbox has no backends"
	}
	switch rng := backendRange(files); {
	case opts.Backend != "":
		d.Detail = fmt.Sprintf(`The backend override %q is not supported; %s.`, env.Backend, use)
	case rng != nil:
		d.Detail, d.Subject = fmt.Sprintf(`Backend %q is not supported; %s.`, env.Backend, use), rng
	default:
		d.Detail = fmt.Sprintf(`The default backend %q is not available; set backend, %s.`, env.Backend, strings.TrimPrefix(use, "use "))
	}
	return hcl.Diagnostics{d}
}

// backendRange is where the top-level backend attribute's value is, in
// the first file (by name) that sets one; nil if none does.
func backendRange(files Files) *hcl.Range {
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if f := files[name]; f == nil {
			continue
		} else if body, ok := f.Body.(*hclsyntax.Body); ok {
			if a := body.Attributes["backend"]; a != nil {
				return a.Expr.Range().Ptr()
			}
		}
	}
	return nil
}

// quotedChoice is `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
func quotedChoice(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

var memorySize = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(B|kB|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB|%)?$`)

func (p *parser) lxc(b *hcl.Block) {
	c := p.content(b.Body, lxcSchema)
	cfg := &p.env.LXC
	cfg.Remote = DefaultLXCRemote
	if s, ok := p.str(c.Attributes["remote"]); ok {
		cfg.Remote = s
	}
	cfg.Profiles = []string{DefaultProfile}
	if a := c.Attributes["profiles"]; a != nil {
		cfg.Profiles = append([]string{}, values(p.strList(a))...)
	}
	var limits *hcl.Block
	for _, lb := range c.Blocks {
		if !p.single(lb, &limits) {
			continue
		}
		p.where = "lxc.limits"
		lc := p.content(lb.Body, limitsSchema)
		if n, ok := p.integer(lc.Attributes["cpu"]); ok {
			if n < 1 {
				p.errorf(lc.Attributes["cpu"].Expr.Range(), "Invalid cpu limit", "cpu is a number of CPUs and must be at least 1, got %d.", n)
			}
			cfg.Limits.CPU = n
		}
		if s, ok := p.str(lc.Attributes["memory"]); ok {
			if !memorySize.MatchString(s) {
				p.errorf(lc.Attributes["memory"].Expr.Range(), "Invalid memory limit",
					`%q is not a size; write a number with a unit such as "512MiB" or "2GiB".`, s)
			}
			cfg.Limits.Memory = s
		}
	}
}

func (p *parser) docker(b *hcl.Block) {
	c := p.content(b.Body, dockerSchema)
	if s, ok := p.str(c.Attributes["host"]); ok {
		if s != "" && !strings.Contains(s, "://") {
			p.errorf(c.Attributes["host"].Expr.Range(), "Invalid docker host",
				`%q is not a Docker host URL; write e.g. "unix:///var/run/docker.sock" or "tcp://host:2376", or leave it empty for DOCKER_HOST.`, s)
		}
		p.env.Docker.Host = s
	}
}

func (p *parser) network(b *hcl.Block) {
	c := p.content(b.Body, networkSchema)
	n := Network{Name: b.Labels[0], Mode: NetworkNAT, Range: b.DefRange}
	if a := c.Attributes["mode"]; a != nil {
		if s, ok := p.str(a); ok {
			n.Mode = s
			if s != NetworkNAT && s != NetworkIsolated && s != NetworkBridged {
				p.errorf(a.Expr.Range(), "Invalid network mode", `Mode %q is not supported; use "nat", "isolated" or "bridged".`, s)
			}
		}
	}
	n.Parent, _ = p.str(c.Attributes["parent"])
	switch {
	case n.Mode == NetworkBridged && n.Parent == "":
		p.errorf(b.DefRange, "Bridged network without parent",
			`A bridged network attaches to a host bridge or interface; add parent = "br0" (the host's bridge) to network %q.`, n.Name)
	case n.Mode != NetworkBridged && n.Parent != "":
		p.errorf(c.Attributes["parent"].Expr.Range(), "Parent on a non-bridged network",
			`parent is only used by bridged networks; remove it, or set mode = "bridged".`)
	}
	var prefix netip.Prefix
	if s, ok := p.str(c.Attributes["subnet"]); ok {
		n.Subnet = s
		var err error
		if prefix, err = netip.ParsePrefix(s); err != nil {
			p.errorf(c.Attributes["subnet"].Expr.Range(), "Invalid subnet", `%q is not a CIDR subnet; write e.g. "10.42.0.0/24", or remove subnet to have one picked.`, s)
		}
	}
	if s, ok := p.str(c.Attributes["address"]); ok {
		n.Address = s
		rng := c.Attributes["address"].Expr.Range()
		addr, err := netip.ParseAddr(s)
		switch {
		case err != nil:
			p.errorf(rng, "Invalid address", `%q is not an IP address; write e.g. "10.42.0.10".`, s)
		case prefix.IsValid() && !prefix.Contains(addr):
			p.errorf(rng, "Address outside subnet", "Address %s is not inside subnet %s; pick an address in the subnet or change the subnet.", s, n.Subnet)
		}
	}
	p.env.Networks = append(p.env.Networks, n)
}

func (p *parser) mount(b *hcl.Block) {
	c := p.content(b.Body, mountSchema)
	m := Mount{Name: b.Labels[0], Range: b.DefRange}
	if s, ok := p.str(c.Attributes["source"]); ok {
		m.Source = p.mountSource(m.Name, s, c.Attributes["source"].Expr.Range())
	} else if c.Attributes["source"] == nil {
		p.errorf(b.DefRange, "Missing mount source", `Mount %q needs source = "host/dir" (relative to this file).`, m.Name)
	}
	if s, ok := p.str(c.Attributes["target"]); ok {
		m.Target = s
		p.absPath(c.Attributes["target"].Expr.Range(), "mount target", s)
	} else if c.Attributes["target"] == nil {
		p.errorf(b.DefRange, "Missing mount target", `Mount %q needs target = "/path/in/container".`, m.Name)
	}
	m.ReadOnly = p.boolean(c.Attributes["read_only"])
	p.env.Mounts = append(p.env.Mounts, m)
}

// absPath reports a container path that is not absolute.
func (p *parser) absPath(rng hcl.Range, what, s string) {
	if !path.IsAbs(s) {
		p.errorf(rng, "Relative "+what, "%q is not an absolute path; paths inside the container must start with /, e.g. %q.", s, path.Join("/", s))
	}
}

func (p *parser) volume(b *hcl.Block) {
	p.content(b.Body, volumeSchema)
	p.env.Volumes = append(p.env.Volumes, Volume{Name: b.Labels[0], Range: b.DefRange})
}

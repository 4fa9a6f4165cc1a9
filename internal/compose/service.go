package compose

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// service appends the service block of one compose service.
func (c *converter) service(body *hclwrite.Body, name string, s types.ServiceConfig) {
	srv, known := c.image(name, s)
	if srv.note != "" {
		comment(body, fmt.Sprintf("compose image %s: %s.", s.Image, srv.note))
	}
	blk := body.AppendNewBlock("service", []string{c.names[name]})
	b := blk.Body()
	if len(srv.packages) > 0 {
		b.SetAttributeRaw("packages", strList(srv.packages))
	}
	if len(srv.provision) > 0 {
		b.SetAttributeRaw("provision", strList(srv.provision))
	}
	if cmd := c.command(name, s, srv, known); len(cmd) > 0 {
		b.SetAttributeRaw("command", strList(cmd))
	}
	if s.User != "" {
		b.SetAttributeValue("user", cty.StringVal(s.User))
	}
	if s.WorkingDir != "" {
		b.SetAttributeValue("workdir", cty.StringVal(s.WorkingDir))
	}
	if env := c.env(name, s); len(env) > 0 {
		b.SetAttributeRaw("env", envObject(env))
	}
	c.envFiles(b, name, s)
	c.ports(b, name, s, srv)
	c.storage(b, name, s)
	c.networks(b, name, s)
	c.dependsOn(b, name, s)
	c.health(b, name, s)
	c.restart(b, name, s)
	if len(s.Profiles) > 0 {
		b.SetAttributeValue("profiles", strVals(s.Profiles))
	}
	if !known && s.Image != "" {
		d := b.AppendNewBlock("docker", nil).Body()
		d.SetAttributeValue("image", cty.StringVal(s.Image))
	}
	c.unmapped(name, s)
}

// image decides how the service's image is run: a package mapping, or
// docker-only.
func (c *converter) image(name string, s types.ServiceConfig) (server, bool) {
	if s.Build != nil {
		what := "devbox builds no Dockerfiles"
		if _, ok := lookupServer(s.Image); s.Image != "" && !ok {
			what += fmt.Sprintf("; docker runs the image %s as is (build it first: docker compose build)", s.Image)
		} else {
			what += "; install what the Dockerfile does with packages and provision"
		}
		c.row(name, "build", "%s", what)
	}
	if s.Image == "" {
		return server{note: "(none: built by Compose) the Debian 12 base image; fill in packages and command"}, true
	}
	srv, ok := lookupServer(s.Image)
	if !ok {
		c.docker = append(c.docker, c.names[name])
		c.row(name, "image", "lxc: no package mapping for image %s; devbox has no per-service backend restriction, so the file defaults to backend = \"docker\" and on lxc this service runs %s",
			s.Image, map[bool]string{true: "its command in the Debian container", false: "nothing (a unit with no command)"}[len(s.Command)+len(s.Entrypoint) > 0])
		return server{}, false
	}
	if tag := imageTag(s.Image); imageName(s.Image) == "debian" && tag != "" && tag != "12" && !strings.HasPrefix(tag, "bookworm") && tag != "latest" && tag != "stable" {
		srv.note += fmt.Sprintf(" (the compose file asks for debian:%s)", tag)
	}
	return srv, true
}

// command is what the service runs: the image's server for a package
// mapping (with the compose command's arguments), else entrypoint +
// command. Without one, a mapped base image idles (sleep infinity), so the
// service is there to exec into, as an image without CMD is on docker.
func (c *converter) command(name string, s types.ServiceConfig, srv server, known bool) []string {
	cmd := append(append([]string{}, s.Entrypoint...), s.Command...)
	if srv.command != nil {
		if out, ok := srv.command(cmd); ok {
			return out
		}
		c.row(name, "command", "%q is not the image's server; kept as is, to run on Debian's package (check paths and programs)", strings.Join(cmd, " "))
		return cmd
	}
	if len(s.Entrypoint) > 0 && !known {
		c.row(name, "entrypoint", "devbox keeps the image's entrypoint; entrypoint %q is prepended to command, which the image's entrypoint (if any) receives as arguments", strings.Join(s.Entrypoint, " "))
	}
	if len(cmd) == 0 && known {
		return []string{"sleep", "infinity"}
	}
	return cmd
}

// env is the service's own environment (env_file contents stay in the
// files). A variable written without a value is passed from the host, as
// Compose does: env("NAME").
func (c *converter) env(name string, s types.ServiceConfig) []envValue {
	keys := make([]string, 0, len(s.Environment))
	for k := range s.Environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []envValue
	for _, k := range keys {
		if !envName.MatchString(k) {
			c.row(name, "environment."+k, "not a variable name devbox accepts (letters, digits, _)")
			continue
		}
		if v := s.Environment[k]; v == nil {
			out = append(out, envValue{name: k, fromHost: true})
		} else {
			out = append(out, envValue{name: k, value: *v})
		}
	}
	return out
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// envFiles references the service's env files, relative to devbox.hcl.
func (c *converter) envFiles(b *hclwrite.Body, name string, s types.ServiceConfig) {
	var files []string
	for _, f := range s.EnvFiles {
		if !c.inside(f.Path) {
			c.row(name, "env_file", "%s is outside the project directory %s; devbox reads env files from the project only", f.Path, c.dir)
			continue
		}
		if f.Format != "" {
			c.row(name, "env_file", "%s: format %q; devbox reads Compose's default env-file format", c.rel(f.Path), f.Format)
		}
		if !bool(f.Required) {
			if _, err := os.Stat(f.Path); err != nil {
				c.row(name, "env_file", "%s is optional in Compose (required: false) and absent; left out, add it to env_file once it exists", c.rel(f.Path))
				continue
			}
			c.row(name, "env_file", "%s is optional in Compose (required: false); devbox needs every env_file listed to exist", c.rel(f.Path))
		}
		files = append(files, c.rel(f.Path))
	}
	if len(files) > 0 {
		b.SetAttributeValue("env_file", strVals(files))
	}
}

func strVals(list []string) cty.Value {
	vals := make([]cty.Value, len(list))
	for i, s := range list {
		vals[i] = cty.StringVal(s)
	}
	return cty.TupleVal(vals)
}

// dependsOn maps depends_on: devbox starts a service after its
// dependencies and waits for their health checks, so service_started and
// service_healthy map; service_completed_successfully does not.
func (c *converter) dependsOn(b *hclwrite.Body, name string, s types.ServiceConfig) {
	deps := make([]string, 0, len(s.DependsOn))
	for d, dep := range s.DependsOn {
		if _, ok := c.p.Services[d]; !ok {
			c.row(name, "depends_on."+d, "not a service of the project (disabled or unknown); left out")
			continue
		}
		deps = append(deps, c.names[d])
		switch dep.Condition {
		case types.ServiceConditionStarted, types.ServiceConditionHealthy, "":
			if dep.Condition == types.ServiceConditionStarted && c.p.Services[d].HealthCheck != nil && !c.p.Services[d].HealthCheck.Disable {
				comment(b, fmt.Sprintf("depends_on %s: devbox also waits for its health check (Compose: service_started)", d))
			}
		default:
			c.row(name, "depends_on."+d, "condition %s: devbox has no such wait; it starts %s after %s has started", dep.Condition, name, d)
		}
		if dep.Restart {
			c.row(name, "depends_on."+d, "restart: true: devbox does not restart dependants when a dependency is replaced")
		}
		if !dep.Required {
			c.row(name, "depends_on."+d, "required: false: devbox needs every dependency")
		}
	}
	if len(deps) > 0 {
		sort.Strings(deps)
		b.SetAttributeValue("depends_on", strVals(deps))
	}
}

// health maps healthcheck onto a health block.
func (c *converter) health(b *hclwrite.Body, name string, s types.ServiceConfig) {
	h := s.HealthCheck
	if h == nil || h.Disable || len(h.Test) == 0 {
		return
	}
	var cmd []string
	switch h.Test[0] {
	case "NONE":
		return
	case "CMD":
		cmd = h.Test[1:]
	case "CMD-SHELL":
		cmd = []string{"sh", "-c", strings.Join(h.Test[1:], " ")}
	default:
		cmd = []string{"sh", "-c", strings.Join(h.Test, " ")}
	}
	if len(cmd) == 0 {
		return
	}
	hb := b.AppendNewBlock("health", nil).Body()
	hb.SetAttributeRaw("command", strList(cmd))
	if h.Interval != nil {
		hb.SetAttributeValue("interval", cty.StringVal(dur(*h.Interval)))
	}
	if h.Timeout != nil {
		hb.SetAttributeValue("timeout", cty.StringVal(dur(*h.Timeout)))
	}
	if h.Retries != nil && *h.Retries > 0 {
		hb.SetAttributeValue("retries", cty.NumberIntVal(int64(*h.Retries)))
	}
	if h.StartPeriod != nil || h.StartInterval != nil {
		c.row(name, "healthcheck.start_period", "devbox has no start period: interval × retries bound the wait; raise retries if the service starts slowly")
	}
}

func dur(d types.Duration) string { return time.Duration(d).String() }

// restart maps the restart policy; on-failure:N loses its N.
func (c *converter) restart(b *hclwrite.Body, name string, s types.ServiceConfig) {
	r := s.Restart
	if r == "" {
		return
	}
	if base, n, ok := strings.Cut(r, ":"); ok && base == "on-failure" {
		c.row(name, "restart", "on-failure:%s: devbox restarts without a limit", n)
		r = base
	}
	switch r {
	case "no", "always", "on-failure", "unless-stopped":
		b.SetAttributeValue("restart", cty.StringVal(r))
	default:
		c.row(name, "restart", "%q is not a policy devbox knows", s.Restart)
	}
}

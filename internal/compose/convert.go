package compose

import (
	"bytes"
	"fmt"
	"github.com/devbox-dev/devbox/internal/importer"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Row is one thing of the compose file devbox.hcl cannot say.
type Row = importer.Row

// Result is an imported devbox.hcl.
type Result struct {
	HCL      []byte
	Unmapped []Row
	// DockerOnly are the services whose image has no package mapping: the
	// file then defaults to backend = "docker".
	DockerOnly []string
}

// converter holds what the services share while they are mapped: the
// top-level blocks they need and the rows so far.
type converter struct {
	p      *types.Project
	dir    string // the output file's directory
	rows   []Row
	names  map[string]string // compose service name → devbox name
	mounts []mountDef
	vols   map[string]bool
	nets   map[string]bool
	docker []string
}

// Convert maps a loaded compose project into devbox.hcl text for a file
// at out. It does no I/O but stat-ing bind mount sources.
func Convert(p *types.Project, out string) (*Result, error) {
	dir, err := filepath.Abs(filepath.Dir(out))
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	c := &converter{p: p, dir: dir, names: map[string]string{}, vols: map[string]bool{}, nets: map[string]bool{}}
	order := serviceOrder(p)
	for _, name := range order {
		c.names[name] = c.rename(name, "service", name)
	}
	c.topLevel()
	services := hclwrite.NewEmptyFile()
	for _, name := range order {
		services.Body().AppendNewline()
		c.service(services.Body(), name, p.Services[name])
	}
	f := hclwrite.NewEmptyFile()
	c.header(f.Body())
	c.declarations(f.Body())
	f.Body().AppendUnstructuredTokens(services.Body().BuildTokens(nil))
	sort.SliceStable(c.rows, func(i, j int) bool { return c.rows[i].Service < c.rows[j].Service })
	// An empty block reads best on one line: volume "data" {}.
	text := bytes.ReplaceAll(hclwrite.Format(f.Bytes()), []byte("{\n}"), []byte("{}"))
	return &Result{HCL: text, Unmapped: c.rows, DockerOnly: c.docker}, nil
}

func (c *converter) row(service, field, format string, args ...any) {
	c.rows = append(c.rows, Row{Service: service, Field: field, Why: fmt.Sprintf(format, args...)})
}

var notLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// label turns a compose name into a devbox name (a DNS label).
func label(name string) string {
	s := strings.Trim(notLabel.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" {
		return "x"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "x" + s
	}
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	return s
}

// rename is label(name), with a row when it differs: other services and
// programs may use the old name (a host name, a DNS name).
func (c *converter) rename(service, kind, name string) string {
	l := label(name)
	if l != name {
		c.row(service, kind+" name", "%q is %q in devbox.hcl (names are DNS labels: a-z, 0-9, -); update what refers to it by name", name, l)
	}
	return l
}

// serviceOrder lists services with dependencies first, then by name.
func serviceOrder(p *types.Project) []string {
	names := make([]string, 0, len(p.Services))
	for n := range p.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	done := map[string]bool{}
	var out []string
	var visit func(string, int)
	visit = func(n string, depth int) {
		if done[n] || depth > len(names) {
			return
		}
		deps := make([]string, 0, len(p.Services[n].DependsOn))
		for d := range p.Services[n].DependsOn {
			deps = append(deps, d)
		}
		sort.Strings(deps)
		for _, d := range deps {
			if _, ok := p.Services[d]; ok {
				visit(d, depth+1)
			}
		}
		if !done[n] {
			done[n] = true
			out = append(out, n)
		}
	}
	for _, n := range names {
		visit(n, 0)
	}
	return out
}

// header is the comment at the top, the project and the base image.
func (c *converter) header(body *hclwrite.Body) {
	var files []string
	for _, f := range c.p.ComposeFiles {
		files = append(files, c.rel(f))
	}
	comment(body, fmt.Sprintf(`Imported from %s (Compose project %q) by devbox import.
Where Compose and devbox differ:
- published ports listen on 127.0.0.1 unless host_ip says otherwise (Compose: every interface);
- a service without restart is restarted on failure (Compose: never);
- depends_on waits for a dependency's health check when it has one;
- values from .env and the environment were substituted at import: edit them here.
Comments below mark mappings that are approximate.`, strings.Join(files, ", "), c.p.Name))
	body.SetAttributeValue("project", ctyStr(label(c.p.Name)))
	if len(c.docker) > 0 {
		what := "runs an image"
		if len(c.docker) > 1 {
			what = "run images"
		}
		comment(body, fmt.Sprintf("%s %s devbox cannot install on lxc, so docker is the default;\n"+
			"with --backend lxc the others come up as on docker, and %s runs its command\n"+
			"in the Debian container instead of the image (the program must be there).", strings.Join(c.docker, ", "), what, strings.Join(c.docker, ", ")))
		body.SetAttributeValue("backend", ctyStr("docker"))
	}
	comment(body, "lxc: one Debian 12 system container; docker: debian:12 (packages installed on it)")
	body.SetAttributeValue("image", ctyStr("debian/12"))
}

// rel is path relative to the output directory, "./x" style; absolute
// when it is outside.
func (c *converter) rel(path string) string {
	r, err := filepath.Rel(c.dir, path)
	if err != nil || strings.HasPrefix(r, "..") {
		return path
	}
	if r == "." {
		return "."
	}
	return "./" + filepath.ToSlash(r)
}

// inside reports whether path is in the output directory.
func (c *converter) inside(path string) bool {
	r, err := filepath.Rel(c.dir, path)
	return err == nil && r != ".." && !strings.HasPrefix(r, "../")
}

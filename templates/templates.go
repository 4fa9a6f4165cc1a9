package templates

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

//go:embed *.hcl
var files embed.FS

// Template is one template's name and what it sets up, in one line.
type Template struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// all lists the templates in the order devbox templates shows them.
var all = []Template{
	{"web", "web app + database + cache (Python, offline on debian/12; default, also for Python projects)"},
	{"go", "Go project: go run . with a module cache volume, and a `go` tool"},
	{"node", "Node.js project: npm start, and `node` / `npm` tools"},
	{"static", "static site served by nginx from the project directory"},
	{"postgres", "PostgreSQL 15 from Debian (data in a volume) and an app that finds it by discovery variables"},
	{"java32", "legacy 32-bit Java tool (platform linux/386) run from the host via devbox run / shims"},
}

// Default is the template used when detection finds nothing.
const Default = "web"

// List returns the templates, in display order.
func List() []Template {
	return append([]Template(nil), all...)
}

// Names returns the template names, in display order.
func Names() []string {
	out := make([]string, len(all))
	for i, t := range all {
		out[i] = t.Name
	}
	return out
}

// Get returns the template's text as shipped.
func Get(name string) ([]byte, error) {
	for _, t := range all {
		if t.Name == name {
			return files.ReadFile(name + ".hcl")
		}
	}
	return nil, fmt.Errorf("no template %q; the templates are: %s (devbox templates lists them)", name, strings.Join(Names(), ", "))
}

// Options adjust a template as it is rendered.
type Options struct {
	// Backend replaces the template's `backend = ...` line; "" keeps it.
	Backend string
	// Project, when set, replaces the commented-out `# project = ...` line.
	Project string
}

var (
	backendLine = regexp.MustCompile(`(?m)^backend(\s*)= "[^"]*"`)
	projectLine = regexp.MustCompile(`(?m)^# project(\s*)= "[^"]*"`)
)

// Render returns the template with opts applied.
func Render(name string, opts Options) ([]byte, error) {
	src, err := Get(name)
	if err != nil {
		return nil, err
	}
	if opts.Backend != "" {
		src = backendLine.ReplaceAll(src, []byte(`backend${1}= "`+opts.Backend+`"`))
	}
	if opts.Project != "" {
		src = projectLine.ReplaceAll(src, []byte(`project${1}= "`+opts.Project+`"`))
	}
	return src, nil
}

// markers map files found in a project directory to the template that
// fits, strongest first.
var markers = []struct{ file, template string }{
	{"go.mod", "go"},
	{"package.json", "node"},
	{"pyproject.toml", "web"},
	{"requirements.txt", "web"},
	{"setup.py", "web"},
	{"index.html", "static"},
	{"public/index.html", "static"},
}

// Detect picks a template for the project in dir from its files: go.mod
// means go, package.json node, pyproject.toml or requirements.txt the
// (Python) web template, index.html static, anything else web. reason says
// what decided it.
func Detect(dir string) (name, reason string) {
	for _, m := range markers {
		if fi, err := os.Stat(filepath.Join(dir, m.file)); err == nil && !fi.IsDir() {
			return m.template, "found " + m.file
		}
	}
	return Default, "no go.mod, package.json, pyproject.toml, requirements.txt or index.html"
}

// Files returns the embedded file names, sorted (for tests).
func Files() []string {
	ents, _ := files.ReadDir(".")
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/envfile"
)

// TestTemplatesValidate parses every template, as shipped and rendered
// for each backend, in an empty directory: they depend on no files.
func TestTemplatesValidate(t *testing.T) {
	for _, tpl := range List() {
		for _, backend := range []string{"", "lxc", "docker"} {
			t.Run(tpl.Name+"/"+backend, func(t *testing.T) {
				src, err := Render(tpl.Name, Options{Backend: backend})
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				path := filepath.Join(dir, "devbox.hcl")
				env, files, diags := envfile.Parse(path, src, envfile.Options{})
				if diags.HasErrors() {
					var b strings.Builder
					_ = files.WriteDiagnostics(&b, diags, false)
					t.Fatalf("template %s does not validate:\n%s", tpl.Name, b.String())
				}
				want := backend
				if want == "" {
					want = "lxc"
				}
				if env.Backend != want {
					t.Errorf("backend = %q, want %q", env.Backend, want)
				}
				if len(env.Services)+len(env.Tools) == 0 {
					t.Error("template defines neither services nor tools")
				}
				if !strings.HasPrefix(string(src), "# devbox.hcl: ") {
					t.Error("template does not start with its one-line comment")
				}
			})
		}
	}
}

func TestEveryFileListed(t *testing.T) {
	listed := map[string]bool{}
	for _, n := range Names() {
		listed[n+".hcl"] = true
	}
	for _, f := range Files() {
		if !listed[f] {
			t.Errorf("%s is embedded but not listed", f)
		}
	}
	if len(Files()) != len(Names()) {
		t.Errorf("%d files, %d templates", len(Files()), len(Names()))
	}
}

func TestGetUnknown(t *testing.T) {
	_, err := Get("cobol")
	if err == nil || !strings.Contains(err.Error(), "web, go, node") {
		t.Fatalf("Get(cobol) = %v", err)
	}
}

func TestRenderProject(t *testing.T) {
	src, err := Render("go", Options{Project: "hello", Backend: "docker"})
	if err != nil {
		t.Fatal(err)
	}
	env, _, diags := envfile.Parse(filepath.Join(t.TempDir(), "devbox.hcl"), src, envfile.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if env.Project != "hello" || env.Backend != "docker" {
		t.Fatalf("project %q backend %q", env.Project, env.Backend)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		files []string
		want  string
	}{
		{nil, "web"},
		{[]string{"go.mod"}, "go"},
		{[]string{"package.json"}, "node"},
		{[]string{"pyproject.toml"}, "web"},
		{[]string{"requirements.txt"}, "web"},
		{[]string{"index.html"}, "static"},
		{[]string{"index.html", "package.json"}, "node"},
		{[]string{"go.mod", "package.json"}, "go"},
		{[]string{"README.md"}, "web"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		for _, f := range c.files {
			if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, reason := Detect(dir)
		if got != c.want {
			t.Errorf("Detect(%v) = %s (%s), want %s", c.files, got, reason, c.want)
		}
	}
	// A directory named like a marker is not one.
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "go.mod"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, _ := Detect(dir); got != "web" {
		t.Errorf("Detect(dir with go.mod/ directory) = %s", got)
	}
}

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/templates"
)

// initRun runs devbox with -C dir and no devbox.hcl around.
func initRun(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	h := &harness{t: t, dir: dir}
	return h.run(args...)
}

func TestInitDetectsAndValidates(t *testing.T) {
	cases := map[string]string{"go.mod": "go", "package.json": "node", "requirements.txt": "web", "index.html": "static", "": "web"}
	for marker, want := range cases {
		dir := t.TempDir()
		if marker != "" {
			if err := os.WriteFile(filepath.Join(dir, marker), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		code, out, errs := initRun(t, dir, "init")
		if code != 0 {
			t.Fatalf("init with %q: exit %d\n%s%s", marker, code, out, errs)
		}
		if !strings.Contains(out, "from template "+want+" ") {
			t.Errorf("init with %q: %s", marker, out)
		}
		got, err := os.ReadFile(filepath.Join(dir, "devbox.hcl"))
		if err != nil {
			t.Fatal(err)
		}
		tpl, _ := templates.Get(want)
		if string(got) != string(tpl) {
			t.Errorf("init with %q did not write template %s as is", marker, want)
		}
		if code, out, errs := initRun(t, dir, "validate"); code != 0 {
			t.Errorf("validate after init (%s): exit %d\n%s%s", want, code, out, errs)
		}
	}
}

func TestInitEveryTemplateValidates(t *testing.T) {
	for _, name := range templates.Names() {
		for _, backend := range []string{"lxc", "docker"} {
			dir := t.TempDir()
			if code, out, errs := initRun(t, dir, "init", "--template", name, "--backend", backend); code != 0 {
				t.Fatalf("init %s: exit %d\n%s%s", name, code, out, errs)
			}
			code, out, errs := initRun(t, dir, "validate")
			if code != 0 || !strings.Contains(out, "backend "+backend) {
				t.Errorf("devbox validate of template %s (%s): exit %d\n%s%s", name, backend, code, out, errs)
			}
		}
	}
}

func TestInitNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "devbox.hcl")
	mine := []byte("# my own file\n")
	if err := os.WriteFile(path, mine, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := initRun(t, dir, "init", "--template", "go")
	if code != ExitBadInput {
		t.Fatalf("init over an existing file: exit %d, want 2\n%s%s", code, out, errs)
	}
	if !strings.Contains(errs, "already exists") || !strings.Contains(errs, "--force") {
		t.Errorf("message does not say why or how: %s", errs)
	}
	if got, _ := os.ReadFile(path); string(got) != string(mine) {
		t.Fatalf("file changed: %q", got)
	}
	if code, out, errs := initRun(t, dir, "init", "--template", "go", "--force"); code != 0 {
		t.Fatalf("init --force: exit %d\n%s%s", code, out, errs)
	}
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), "a Go project") {
		t.Fatalf("--force did not write the template: %q", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("left temporary files: %v", ents)
	}
}

func TestInitBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"init", "--template", "cobol"},
		{"init", "--backend", "podman"},
		{"init", "stray"},
	} {
		code, out, errs := initRun(t, dir, args...)
		if code != ExitBadInput {
			t.Errorf("%v: exit %d, want 2\n%s%s", args, code, out, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "devbox.hcl")); err == nil {
		t.Error("a failed init wrote devbox.hcl")
	}
}

func TestInitFileFlag(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := initRun(t, dir, "-f", "env/dev.hcl", "init", "--template", "static"); code == 0 {
		t.Fatalf("init into a missing directory succeeded\n%s%s", out, errs)
	}
	if err := os.Mkdir(filepath.Join(dir, "env"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := initRun(t, dir, "-f", "env/dev.hcl", "init", "--template", "static"); code != 0 {
		t.Fatalf("init -f: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "env", "dev.hcl")); err != nil {
		t.Fatal(err)
	}
}

func TestTemplatesList(t *testing.T) {
	code, out, errs := initRun(t, t.TempDir(), "templates")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, tpl := range templates.List() {
		if !strings.Contains(out, tpl.Name+" ") || !strings.Contains(out, tpl.Description) {
			t.Errorf("templates output lacks %s:\n%s", tpl.Name, out)
		}
	}
	code, out, _ = initRun(t, t.TempDir(), "--json", "templates")
	if code != 0 || !strings.HasPrefix(out, `[{"name":"web"`) {
		t.Errorf("--json: %d %s", code, out)
	}
}

package envfile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// hostProject is a project directory with a data directory outside it and
// symlinks from inside to both.
type hostProject struct {
	dir, outside string
}

func newHostProject(t *testing.T) hostProject {
	t.Helper()
	root := t.TempDir()
	hp := hostProject{dir: filepath.Join(root, "proj"), outside: filepath.Join(root, "proj-data")}
	for _, d := range []string{filepath.Join(hp.dir, "src"), hp.outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range map[string]string{"in-link": filepath.Join(hp.dir, "src"), "out-link": hp.outside} {
		if err := os.Symlink(target, filepath.Join(hp.dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(hp.outside, "secret.txt"), []byte("TOPSECRET\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return hp
}

func (hp hostProject) parse(t *testing.T, src string, opts Options) (*Environment, string) {
	t.Helper()
	if opts.LookupEnv == nil {
		opts.LookupEnv = fakeEnv(nil)
	}
	env, files, diags := Parse(filepath.Join(hp.dir, "devbox.hcl"), []byte(src), opts)
	return env, render(files, diags)
}

func mountFile(source string) string {
	return lines(`mount "m" {`, `  source = "`+source+`"`, `  target = "/x"`, `}`) + svc("a", `  mounts = ["m"]`)
}

// A mount source must resolve inside the project directory; symlinks are
// followed, and a sibling directory sharing the project's name as a prefix
// is outside.
func TestMountSourceConfined(t *testing.T) {
	hp := newHostProject(t)
	for _, tc := range []struct{ source, resolved string }{
		{"out-link", hp.outside},
		{"../proj-data", hp.outside},
		{hp.outside, hp.outside},
		{"out-link/../../proj-data", hp.outside},
	} {
		env, out := hp.parse(t, mountFile(tc.source), Options{})
		want := `source "` + tc.source + `" resolves to ` + tc.resolved + ", which is outside the project directory " + hp.dir
		if env != nil || !strings.Contains(out, "devbox.hcl:2:12: Error: Mount source outside the project") ||
			!strings.Contains(out, want) || !strings.Contains(out, "--allow-mount "+tc.resolved) {
			t.Errorf("source %q:\n%s\nwant %q", tc.source, out, want)
		}
	}
	for _, source := range []string{".", "src", "in-link", "src/../in-link"} {
		env, out := hp.parse(t, mountFile(source), Options{})
		if env == nil {
			t.Fatalf("source %q inside the project: %s", source, out)
		}
		if want := filepath.Clean(filepath.Join(hp.dir, source)); source == "in-link" || source == "src/../in-link" {
			if env.Mounts[0].Source != filepath.Join(hp.dir, "src") {
				t.Errorf("source %q: Source %q, want the link's target, what was checked", source, env.Mounts[0].Source)
			}
		} else if env.Mounts[0].Source != want {
			t.Errorf("source %q: Source %q, want %q", source, env.Mounts[0].Source, want)
		}
		if len(env.Outside) != 0 {
			t.Errorf("source %q: Outside %+v, want none", source, env.Outside)
		}
	}
}

// The user, never the file, allows paths outside the project: the path and
// everything under it, through symlinks, recorded with what allowed it.
func TestMountSourceAllowed(t *testing.T) {
	hp := newHostProject(t)
	link := filepath.Join(t.TempDir(), "data-link")
	if err := os.Symlink(hp.outside, link); err != nil {
		t.Fatal(err)
	}
	for _, allow := range []string{hp.outside, link, filepath.Dir(hp.outside)} {
		opts := Options{Allow: []Allowed{{Path: "/nonexistent/x", By: "other"}, {Path: allow, By: "--allow-mount " + allow}}}
		env, out := hp.parse(t, mountFile("out-link"), opts)
		if env == nil {
			t.Fatalf("allowed %s: %s", allow, out)
		}
		want := []Outside{{Kind: "mount", Name: "m", Path: hp.outside, AllowedBy: "--allow-mount " + allow}}
		if !reflect.DeepEqual(env.Outside, want) || env.Mounts[0].Source != hp.outside {
			t.Errorf("allowed %s: Outside %+v, Source %q", allow, env.Outside, env.Mounts[0].Source)
		}
	}
	// Allowing a path under the source does not allow the source.
	_, out := hp.parse(t, mountFile("out-link"), Options{Allow: []Allowed{{Path: filepath.Join(hp.outside, "sub"), By: "x"}}})
	if !strings.Contains(out, "Mount source outside the project") {
		t.Errorf("a child allowed its parent:\n%s", out)
	}
}

// file() is confined like mounts; the error is at the call.
func TestFileConfined(t *testing.T) {
	hp := newHostProject(t)
	src := svc("a", `  env = { S = file("out-link/secret.txt") }`)
	env, out := hp.parse(t, src, Options{AllowFile: "/u/.config/devbox/allow-mounts"})
	secret := filepath.Join(hp.outside, "secret.txt")
	if env != nil || !strings.Contains(out, "devbox.hcl:3:15: Error: Error in function call") ||
		!strings.Contains(out, "out-link/secret.txt resolves to "+secret+", which is outside the project directory") ||
		!strings.Contains(out, "--allow-mount "+secret+", or add that path on a line of its own to /u/.config/devbox/allow-mounts") {
		t.Errorf("file() outside:\n%s", out)
	}
	if strings.Contains(out, "TOPSECRET") {
		t.Errorf("the diagnostic shows the file's contents:\n%s", out)
	}
	env, out = hp.parse(t, src, Options{Allow: []Allowed{{Path: hp.outside, By: "allow-mounts:1"}}})
	if env == nil || env.Service("a").Env["S"] != "TOPSECRET\n" {
		t.Fatalf("allowed file(): %s", out)
	}
	want := []Outside{{Kind: "file", Name: "out-link/secret.txt", Path: secret, AllowedBy: "allow-mounts:1"}}
	if !reflect.DeepEqual(env.Outside, want) {
		t.Errorf("Outside = %+v, want %+v", env.Outside, want)
	}
}

// Sources and HostEnv say which values came from the host, by name only.
func TestHostProvenance(t *testing.T) {
	hp := newHostProject(t)
	if err := os.WriteFile(filepath.Join(hp.dir, "app.py"), []byte("print(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := lines(`variable "home" { default = env("HOME") }`,
		`service "web" {`,
		`  command = ["python3", "-c", file("app.py")]`,
		`  env     = { TOKEN = env("TOKEN"), H = var.home, T2 = env("TOKEN") }`,
		`  port "p" {`,
		`    port = 80`,
		`    host = tonumber(env("WEB_PORT"))`,
		`  }`,
		`}`)
	lookup := fakeEnv(map[string]string{"HOME": "/home/u", "TOKEN": "s3cret", "WEB_PORT": "8080"})
	env, out := hp.parse(t, src, Options{LookupEnv: lookup})
	if env == nil {
		t.Fatal(out)
	}
	if !reflect.DeepEqual(env.HostEnv, []string{"HOME", "TOKEN", "WEB_PORT"}) {
		t.Errorf("HostEnv = %v", env.HostEnv)
	}
	file := filepath.Join(hp.dir, "devbox.hcl")
	want := []Source{
		{Path: "variables.home.default", From: `env("HOME")`, At: file + ":1:29"},
		{Path: "services.web.command[2]", From: `file("app.py")`, At: file + ":3:31"},
		{Path: "services.web.env.TOKEN", From: `env("TOKEN")`, At: file + ":4:23"},
		{Path: "services.web.env.T2", From: `env("TOKEN")`, At: file + ":4:56"},
		{Path: "services.web.ports.p.host", From: `env("WEB_PORT")`, At: file + ":7:12"},
	}
	if !reflect.DeepEqual(env.Sources, want) {
		t.Errorf("Sources =\n%+v\nwant\n%+v", env.Sources, want)
	}
	b, err := json.Marshal(struct {
		S []Source
		H []string
	}{env.Sources, env.HostEnv})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("s3cret")) || bytes.Contains(b, []byte("/home/u")) {
		t.Errorf("provenance holds values: %s", b)
	}

	env, _ = hp.parse(t, svc("a"), Options{})
	if b, _ := json.Marshal(env); !bytes.Contains(b, []byte(`"sources":[],"host_env":[],"outside":[]`)) {
		t.Errorf("empty provenance should be [] in JSON: %s", b)
	}
}

// A devbox.hcl linked to a file outside its directory is refused before it
// is read, so no line of it is echoed; a link inside is read.
func TestLoadSymlinkedFile(t *testing.T) {
	hp := newHostProject(t)
	secret := filepath.Join(hp.outside, "secret.txt")
	link := filepath.Join(hp.dir, "devbox.hcl")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	env, files, diags := Load(link, Options{})
	out := render(files, diags)
	want := "devbox.hcl is a symlink to " + secret + ", outside " + hp.dir + "; refusing to read it"
	if env != nil || !diags.HasErrors() || !strings.Contains(out, want) || !strings.Contains(out, "-f "+secret) {
		t.Errorf("Load(link to outside):\n%s\nwant %q", out, want)
	}
	if strings.Contains(out, "TOPSECRET") || len(files) != 0 {
		t.Errorf("the refused file was read:\n%s", out)
	}
	if _, err := os.Stat("/etc/shadow"); err == nil {
		shadow := filepath.Join(t.TempDir(), "devbox.hcl")
		if err := os.Symlink("/etc/shadow", shadow); err != nil {
			t.Fatal(err)
		}
		_, files, diags = Load(shadow, Options{})
		if out := render(files, diags); !strings.Contains(out, "devbox.hcl is a symlink to /etc/shadow, outside") || strings.Contains(out, "root:") {
			t.Errorf("Load(link to /etc/shadow):\n%s", out)
		}
	}

	// Allowed by the user, or inside the project: read through the link.
	if err := os.WriteFile(secret, []byte(svc("a")), 0o644); err != nil {
		t.Fatal(err)
	}
	if env, files, diags := Load(link, Options{Allow: []Allowed{{Path: hp.outside, By: "x"}}}); env == nil {
		t.Errorf("allowed link: %s", render(files, diags))
	}
	inside := filepath.Join(hp.dir, "src", "dev.hcl")
	if err := os.WriteFile(inside, []byte(svc("a")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("src/dev.hcl", link); err != nil {
		t.Fatal(err)
	}
	if env, files, diags := Load(link, Options{}); env == nil || env.File != link {
		t.Errorf("link inside the project: %v %s", env, render(files, diags))
	}
}

// The size refusal reports the file's size, not the bytes read.
func TestLoadTooLargeReportsSize(t *testing.T) {
	big := filepath.Join(t.TempDir(), "devbox.hcl")
	if err := os.WriteFile(big, bytes.Repeat([]byte("# comment\n"), 300000), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, diags := Load(big, Options{})
	if !diags.HasErrors() || !strings.Contains(diags[0].Detail, "This file is 3000000 bytes") {
		t.Errorf("Load(3 MB file): %v", diags)
	}
	_, _, diags = Parse("big.hcl", bytes.Repeat([]byte("#"), MaxFileSize+5), Options{})
	if !diags.HasErrors() || !strings.Contains(diags[0].Detail, "This file is 1048581 bytes") {
		t.Errorf("Parse(1 MiB + 5): %v", diags)
	}
}

package envfile

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// writeFiles writes name -> content under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Compose's format and precedence: later files win, the service's env wins
// over every file, KEY alone takes the host's value when it is set, ${X}
// sees the host first, then env, then earlier lines and files.
func TestEnvFilePrecedenceAndFormat(t *testing.T) {
	hp := newHostProject(t)
	writeFiles(t, hp.dir, map[string]string{
		".env": lines(
			"# a comment",
			"",
			"A=from-first",
			"B=from-first",
			"export C = spaced # inline comment",
			`D='single $A \n kept'`,
			`E="double ${A} \t tab"`,
			"INHERITED",
			"UNSET_ON_HOST",
			"ROLE=from-file",
			`MULTI="one`,
			`two"`,
		),
		"conf/web.env": lines("B=from-second", "F=${B}-${HOSTVAR}-${ROLE}"),
	})
	src := svc("web", `  env_file = ["./.env", "conf/web.env"]`, `  env = { ROLE = "from-env" }`)
	host := fakeEnv(map[string]string{"INHERITED": "host-value", "HOSTVAR": "hv"})
	env, out := hp.parse(t, src, Options{LookupEnv: host})
	if env == nil {
		t.Fatalf("parse: %s", out)
	}
	got := env.Service("web").Env
	want := map[string]string{
		"A": "from-first", "B": "from-second", "C": "spaced",
		"D": `single $A \n kept`, "E": "double from-first \t tab",
		"INHERITED": "host-value", "ROLE": "from-env", "MULTI": "one\ntwo",
		"F": "from-second-hv-from-env",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("env =\n%v\nwant\n%v", got, want)
	}
	if s := env.Service("web"); !reflect.DeepEqual(s.EnvFile, []string{"./.env", "conf/web.env"}) {
		t.Errorf("EnvFile = %q, want the paths as written", s.EnvFile)
	}
	for _, name := range []string{"INHERITED", "UNSET_ON_HOST", "HOSTVAR"} {
		if !slices.Contains(env.HostEnv, name) {
			t.Errorf("host_env %v lacks %s, which an env file read from the host", env.HostEnv, name)
		}
	}
	var from []string
	for _, s := range env.Sources {
		from = append(from, s.Path+"="+s.From)
	}
	if !slices.Contains(from, `services.web.env_file[1]=env_file("conf/web.env")`) {
		t.Errorf("sources %v lack the env file", from)
	}
}

// A single string is a list of one; the files' values reach the other
// services as <NAME>_ENV_ copies through Env, like env's.
func TestEnvFileSingleString(t *testing.T) {
	hp := newHostProject(t)
	writeFiles(t, hp.dir, map[string]string{"db.env": "PGUSER=app\n"})
	env, out := hp.parse(t, svc("db", `  env_file = "db.env"`), Options{})
	if env == nil || env.Service("db").Env["PGUSER"] != "app" {
		t.Fatalf("single string env_file: %v\n%s", env, out)
	}
}

// A missing env file is an error at the list element, with the fix; for
// verbs that act on what exists it is only a warning.
func TestEnvFileMissing(t *testing.T) {
	hp := newHostProject(t)
	writeFiles(t, hp.dir, map[string]string{"a.env": "A=1\n"})
	src := svc("web", `  env_file = ["a.env", "missing.env"]`)
	env, out := hp.parse(t, src, Options{})
	missing := filepath.Join(hp.dir, "missing.env")
	if env != nil || !strings.Contains(out, "devbox.hcl:3:24: Error: Env file not found") ||
		!strings.Contains(out, missing+` does not exist (env_file "missing.env" is relative to `+hp.dir+")") ||
		!strings.Contains(out, "Create it") {
		t.Errorf("missing env file:\n%s", out)
	}
	env, out = hp.parse(t, src, Options{Existing: true})
	if env == nil || !strings.Contains(out, "Warning: Env file not found") || env.Service("web").Env["A"] != "1" {
		t.Errorf("missing env file, Existing: env %v\n%s", env, out)
	}
}

// A line the parser rejects is reported at that line of the env file,
// saying where the file is listed.
func TestEnvFileBadLine(t *testing.T) {
	hp := newHostProject(t)
	writeFiles(t, hp.dir, map[string]string{
		"bad.env":    lines("A=1", "# fine", "B C=2"),
		"name.env":   lines("OK=1", "my.var=2"),
		"quote.env":  lines("A=1", `B="unterminated`),
		"digits.env": lines("1A=x"),
	})
	for _, tc := range []struct{ file, want string }{
		{"bad.env", "bad.env:3: key cannot contain a space"},
		{"name.env", `name.env:2: "my.var" is not a valid environment variable name`},
		{"quote.env", "quote.env:3: unterminated quoted value"}, // the parser's count, as Compose reports it
		{"digits.env", `digits.env:1: "1A" is not a valid environment variable name`},
	} {
		env, out := hp.parse(t, svc("web", `  env_file = ["`+tc.file+`"]`), Options{})
		if env != nil || !strings.Contains(out, "devbox.hcl:3:15: Error: ") || !strings.Contains(out, filepath.Join(hp.dir, tc.want)) {
			t.Errorf("%s:\n%s\nwant %q", tc.file, out, tc.want)
		}
	}
}

// An env file must resolve inside the project, like a mount source, unless
// the user allowed its path; its contents never appear in the diagnostic.
func TestEnvFileConfined(t *testing.T) {
	hp := newHostProject(t)
	writeFiles(t, hp.outside, map[string]string{"creds.env": "TOKEN=TOPSECRET\n"})
	for _, path := range []string{"../proj-data/creds.env", "out-link/creds.env", filepath.Join(hp.outside, "creds.env")} {
		env, out := hp.parse(t, svc("web", `  env_file = ["`+path+`"]`), Options{})
		if env != nil || !strings.Contains(out, "Error: Env file outside the project") ||
			!strings.Contains(out, "--allow-mount "+filepath.Join(hp.outside, "creds.env")) || strings.Contains(out, "TOPSECRET") {
			t.Errorf("env_file %s:\n%s", path, out)
		}
	}
	opts := Options{Allow: []Allowed{{Path: hp.outside, By: "--allow-mount " + hp.outside}}}
	env, out := hp.parse(t, svc("web", `  env_file = ["out-link/creds.env"]`), opts)
	if env == nil || env.Service("web").Env["TOKEN"] != "TOPSECRET" {
		t.Fatalf("allowed env file: %s", out)
	}
	want := []Outside{{Kind: "env_file", Name: "out-link/creds.env", Path: filepath.Join(hp.outside, "creds.env"), AllowedBy: "--allow-mount " + hp.outside}}
	if !reflect.DeepEqual(env.Outside, want) {
		t.Errorf("Outside = %+v, want %+v", env.Outside, want)
	}
}

// An env file without variables leaves Env nil, as a service without env.
func TestEnvFileEmpty(t *testing.T) {
	hp := newHostProject(t)
	writeFiles(t, hp.dir, map[string]string{"empty.env": "# nothing\n\n"})
	env, out := hp.parse(t, svc("web", `  env_file = ["empty.env"]`), Options{})
	if env == nil || env.Service("web").Env != nil {
		t.Fatalf("empty env file: %v %s", env, out)
	}
}

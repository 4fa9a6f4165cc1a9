package envfile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// fullFile is the schema from the foundation issue, one attribute a line
// (HCL allows a single attribute in a one-line block).
const fullFile = `project = "shop"
backend = "lxc"
image   = "debian/12"

variable "pg_port" { default = 5432 }
variable "greeting" {
  default     = "hi"
  description = "what web says"
}

lxc {
  remote   = "local"
  profiles = ["default", "big"]
  limits {
    cpu    = 2
    memory = "2GiB"
  }
}
docker { host = "" }

network "lan" { mode = "nat" }
network "office" {
  mode   = "bridged"
  parent = "br0"
}
network "lab" {
  mode    = "isolated"
  subnet  = "10.42.0.0/24"
  address = "10.42.0.10"
}
mount "src" {
  source = "."
  target = "/srv/app"
}
volume "pgdata" {}

service "db" {
  packages  = ["postgresql"]
  provision = ["pg_createcluster 15 main || true"]
  command   = ["/usr/lib/postgresql/15/bin/postgres", "-D", "/var/lib/postgresql/data"]
  user      = "postgres"
  workdir   = "/"
  env       = { PGDATA = "/var/lib/postgresql/data", SECRET = env("DEVBOX_TEST_SECRET"), UNSET = env("DEVBOX_TEST_UNSET") }
  port "pg" {
    port = var.pg_port
    host = 15432
  }
  volumes    = { pgdata = "/var/lib/postgresql/data" }
  mounts     = ["src"]
  networks   = ["lan"]
  depends_on = ["cache"]
  health {
    command  = ["pg_isready"]
    interval = "1s"
  }
  restart = "on-failure"
  docker { image = "postgres:15" }
}

service "cache" {
  command = ["redis-server", "--port", format("%d", 6379)]
  port "redis" {
    port     = 6379
    host     = 16379
    host_ip  = "0.0.0.0"
    protocol = "udp"
  }
  restart = "always"
  systemd = true
}

service "web" {
  command    = ["python3", "-c", file("app.py")]
  env        = { GREETING = upper(var.greeting), JOINED = join(",", concat(["a"], ["b"])) }
  depends_on = ["db", "cache"]
  networks   = ["lan", "lab"]
}

tool "report" {
  image    = "debian/11"
  platform = "linux/386"
  packages = ["openjdk-17-jre-headless"]
  command  = ["java", "-jar", "/opt/report.jar"]
  env      = { JAVA_OPTS = "-Xmx1g" }
  pass_env = ["HOME", "TERM"]
}

tool "fmt" {
  command = ["gofmt"]
}
`

// writeProject creates a directory holding devbox.hcl (with src) and
// app.py, and returns the file's path.
func writeProject(t testing.TB, src string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "My Project")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte("print('hi')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "devbox.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func fakeEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func mustLoad(t *testing.T, path string, opts Options) *Environment {
	t.Helper()
	env, files, diags := Load(path, opts)
	if len(diags) > 0 {
		var buf bytes.Buffer
		_ = files.WriteDiagnostics(&buf, diags, false)
		t.Fatalf("unexpected diagnostics:\n%s", buf.String())
	}
	return env
}

func TestParseFull(t *testing.T) {
	path := writeProject(t, fullFile)
	dir := filepath.Dir(path)
	env := mustLoad(t, path, Options{
		Vars:      map[string]string{"pg_port": "6543"},
		LookupEnv: fakeEnv(map[string]string{"DEVBOX_TEST_SECRET": "s3cret"}),
	})

	if env.File != path || env.Dir != dir {
		t.Errorf("File, Dir = %q, %q; want %q, %q", env.File, env.Dir, path, dir)
	}
	if env.Project != "shop" || env.Backend != "lxc" || env.Image != "debian/12" {
		t.Errorf("project/backend/image = %q %q %q", env.Project, env.Backend, env.Image)
	}
	wantLXC := LXCConfig{Remote: "local", Profiles: []string{"default", "big"}, Limits: LXCLimits{CPU: 2, Memory: "2GiB"}}
	if !reflect.DeepEqual(env.LXC, wantLXC) {
		t.Errorf("LXC = %+v, want %+v", env.LXC, wantLXC)
	}
	wantNets := []Network{
		{Name: "lan", Mode: NetworkNAT},
		{Name: "office", Mode: NetworkBridged, Parent: "br0"},
		{Name: "lab", Mode: NetworkIsolated, Subnet: "10.42.0.0/24", Address: "10.42.0.10"},
	}
	for i := range env.Networks {
		env.Networks[i].Range = hcl.Range{}
	}
	if !reflect.DeepEqual(env.Networks, wantNets) {
		t.Errorf("Networks = %+v", env.Networks)
	}
	if len(env.Mounts) != 1 || env.Mounts[0].Source != dir || env.Mounts[0].Target != "/srv/app" || env.Mounts[0].ReadOnly {
		t.Errorf("Mounts = %+v, want source %s", env.Mounts, dir)
	}
	if len(env.Volumes) != 1 || env.Volumes[0].Name != "pgdata" {
		t.Errorf("Volumes = %+v", env.Volumes)
	}

	var names []string
	for _, s := range env.Services {
		names = append(names, s.Name)
	}
	if !reflect.DeepEqual(names, []string{"db", "cache", "web"}) {
		t.Fatalf("services in order = %v", names)
	}
	db := env.Service("db")
	if db.Range.Start.Line != 37 || db.Range.Filename != path {
		t.Errorf("db.Range = %v, want line 37 of %s", db.Range, path)
	}
	wantPorts := []Port{{Name: "pg", Port: 6543, Host: 15432, HostIP: "127.0.0.1", Protocol: "tcp"}}
	db.Ports[0].Range = hcl.Range{}
	if !reflect.DeepEqual(db.Ports, wantPorts) {
		t.Errorf("db ports = %+v (var override)", db.Ports)
	}
	wantEnv := map[string]string{"PGDATA": "/var/lib/postgresql/data", "SECRET": "s3cret", "UNSET": ""}
	if !reflect.DeepEqual(db.Env, wantEnv) {
		t.Errorf("db env = %v (env())", db.Env)
	}
	wantHealth := &Health{Command: []string{"pg_isready"}, Interval: Duration(time.Second), Timeout: Duration(5 * time.Second), Retries: 30}
	if !reflect.DeepEqual(db.Health, wantHealth) {
		t.Errorf("db health = %+v", db.Health)
	}
	if db.User != "postgres" || db.Workdir != "/" || db.Restart != "on-failure" || db.Docker.Image != "postgres:15" ||
		!reflect.DeepEqual(db.Volumes, map[string]string{"pgdata": "/var/lib/postgresql/data"}) ||
		!reflect.DeepEqual(db.Mounts, []string{"src"}) || !reflect.DeepEqual(db.Networks, []string{"lan"}) ||
		!reflect.DeepEqual(db.DependsOn, []string{"cache"}) || !reflect.DeepEqual(db.Packages, []string{"postgresql"}) ||
		len(db.Provision) != 1 || len(db.Command) != 3 {
		t.Errorf("db = %+v", db)
	}
	cache := env.Service("cache")
	if p := cache.Ports[0]; p.HostIP != "0.0.0.0" || p.Protocol != "udp" || cache.Restart != "always" || !cache.Systemd ||
		!reflect.DeepEqual(cache.Command, []string{"redis-server", "--port", "6379"}) {
		t.Errorf("cache = %+v", cache)
	}
	web := env.Service("web")
	if web.Command[2] != "print('hi')\n" {
		t.Errorf("file() = %q", web.Command[2])
	}
	if web.Env["GREETING"] != "HI" || web.Env["JOINED"] != "a,b" || web.Restart != DefaultRestart || web.Health != nil {
		t.Errorf("web = %+v", web)
	}

	report, fmtTool := env.Tool("report"), env.Tool("fmt")
	if report.Image != "debian/11" || report.Platform != "linux/386" || report.Env["JAVA_OPTS"] != "-Xmx1g" ||
		!reflect.DeepEqual(report.PassEnv, []string{"HOME", "TERM"}) {
		t.Errorf("report = %+v", report)
	}
	if fmtTool.Image != "debian/12" || fmtTool.Platform != "" {
		t.Errorf("fmt tool image = %q, want the environment image", fmtTool.Image)
	}
}

func TestDefaults(t *testing.T) {
	path := writeProject(t, "service \"app\" {\n  command = [\"true\"]\n  port \"http\" {\n    port = 80\n    host = 8080\n  }\n}\n")
	env := mustLoad(t, path, Options{})
	if env.Project != "my-project" {
		t.Errorf("Project = %q, want the sanitised directory name my-project", env.Project)
	}
	if env.Backend != "lxc" || env.Image != "debian/12" {
		t.Errorf("Backend, Image = %q, %q", env.Backend, env.Image)
	}
	if !reflect.DeepEqual(env.LXC, LXCConfig{Remote: "local", Profiles: []string{"default"}}) {
		t.Errorf("LXC = %+v", env.LXC)
	}
	p := env.Services[0].Ports[0]
	if p.Protocol != "tcp" || p.HostIP != "127.0.0.1" || env.Services[0].Restart != "on-failure" {
		t.Errorf("port = %+v, restart %q", p, env.Services[0].Restart)
	}
	if env.Networks == nil || env.Tools == nil {
		t.Error("top-level lists should be empty, not nil, so JSON shows []")
	}

	env = mustLoad(t, path, Options{Backend: "docker", Project: "other"})
	if env.Backend != "docker" || env.Project != "other" {
		t.Errorf("overrides: Backend, Project = %q, %q", env.Backend, env.Project)
	}
}

func TestSanitizeName(t *testing.T) {
	for in, want := range map[string]string{
		"My Project":            "my-project",
		"shop":                  "shop",
		"__x__":                 "x",
		"Ünïcode.App_2":         "n-code-app-2",
		"":                      "devbox",
		"---":                   "devbox",
		strings.Repeat("a", 70): strings.Repeat("a", 63),
	} {
		if got := sanitizeName(in); got != want || !dnsLabel.MatchString(got) {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVarOverrides(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"6543", "6543"}, {"true", "true"}, {"1.5", "1.5"}, {"abc", "abc"}, {"12ab", "12ab"}, {"", ""},
	} {
		src := "variable \"v\" { default = \"x\" }\nservice \"s\" {\n  command = [tostring(var.v)]\n}\n"
		env, _, diags := Parse("devbox.hcl", []byte(src), Options{Vars: map[string]string{"v": tc.in}})
		if diags.HasErrors() {
			t.Fatalf("%q: %s", tc.in, diags.Error())
		}
		if got := env.Services[0].Command[0]; got != tc.want {
			t.Errorf("--var v=%q gives %q, want %q", tc.in, got, tc.want)
		}
	}
	if v := parseVarOverride("42"); !v.Type().Equals(parseVarOverride("1e3").Type()) || v.AsBigFloat().String() != "42" {
		t.Errorf("numbers should parse as numbers")
	}
	if parseVarOverride("false").True() {
		t.Errorf("false should parse as a bool")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	env := mustLoad(t, writeProject(t, fullFile), Options{LookupEnv: fakeEnv(nil)})
	b1, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b1, []byte(`"interval":"1s"`)) || !bytes.Contains(b1, []byte(`"timeout":"5s"`)) {
		t.Errorf("durations should marshal as Go duration strings: %s", b1)
	}
	var back Environment
	if err := json.Unmarshal(b1, &back); err != nil {
		t.Fatal(err)
	}
	b2, err := json.Marshal(&back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Errorf("JSON round trip differs:\n%s\n%s", b1, b2)
	}
	var d Duration
	if err := json.Unmarshal([]byte(`"1m30s"`), &d); err != nil || d.D() != 90*time.Second {
		t.Errorf("Duration unmarshal = %v, %v", d, err)
	}
	if err := json.Unmarshal([]byte(`"soon"`), &d); err == nil {
		t.Error("bad duration should fail to unmarshal")
	}
}

func TestLoadMissing(t *testing.T) {
	env, files, diags := Load(filepath.Join(t.TempDir(), "devbox.hcl"), Options{})
	if env != nil || files == nil || !diags.HasErrors() || !strings.Contains(diags[0].Detail, "no such file") {
		t.Fatalf("Load(missing) = %v, %v, %v", env, files, diags)
	}
	_, _, diags = Load(t.TempDir(), Options{})
	if !diags.HasErrors() || !strings.Contains(diags[0].Detail, "directory") {
		t.Fatalf("Load(dir) = %v", diags)
	}
	big := filepath.Join(t.TempDir(), "devbox.hcl")
	if err := os.WriteFile(big, bytes.Repeat([]byte("# comment\n"), 300000), 0o644); err != nil {
		t.Fatal(err)
	}
	_, files, diags = Load(big, Options{})
	if !diags.HasErrors() || diags[0].Summary != "File too large" || files[big] == nil {
		t.Fatalf("Load(big) = %v", diags)
	}
}

func TestWriteDiagnostics(t *testing.T) {
	src := "service \"web\" {\n  command    = [\"x\"]\n  depends_on = [\"dbb\"]\n}\nservice \"db\" {\n  command = [\"y\"]\n}\n"
	_, files, diags := Parse("file.hcl", []byte(src), Options{})
	if !diags.HasErrors() {
		t.Fatal("want an error")
	}
	var buf bytes.Buffer
	if err := files.WriteDiagnostics(&buf, diags, false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"file.hcl:3:17: Error: Unknown service in depends_on",
		`   3:   depends_on = ["dbb"]`,
		"\n                      ^^^^^\n",
		`Did you mean "db"?`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	buf.Reset()
	if err := files.WriteDiagnostics(&buf, diags, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\x1b[") || !strings.Contains(buf.String(), "file.hcl:3:17") {
		t.Errorf("colour output:\n%s", buf.String())
	}

	// Guard errors still show the source line.
	deep := "a = " + strings.Repeat("[", 100) + "\n"
	_, files, diags = Parse("deep.hcl", []byte(deep), Options{})
	buf.Reset()
	if err := files.WriteDiagnostics(&buf, diags, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "deep.hcl:1:69: Error: Nesting too deep") || !strings.Contains(buf.String(), "   1: a = [[[") {
		t.Errorf("guard output:\n%s", buf.String())
	}
}

package compose

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/envfile"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// importFixture loads testdata/name as Compose would, with env as the
// whole environment, and maps it for a devbox.hcl beside it.
func importFixture(t *testing.T, name string, env ...string) (*Result, string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(context.Background(), LoadOptions{WorkingDir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Convert(p, filepath.Join(dir, envfile.DefaultFile))
	if err != nil {
		t.Fatal(err)
	}
	return res, dir
}

// rowsText is the rows one a line, the fixture's directory as <dir>.
func rowsText(rows []Row, dir string) []byte {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Service + " | " + r.Field + " | " + strings.ReplaceAll(r.Why, dir, "<dir>") + "\n")
	}
	return []byte(b.String())
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/compose -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./internal/compose -update rewrites it); got:\n%s", path, got)
	}
}

// TestConvertGolden: each fixture's devbox.hcl and unmapped rows are the
// golden files', and the file parses and validates as devbox.hcl.
func TestConvertGolden(t *testing.T) {
	for _, name := range []string{"webapp", "extends", "profiles"} {
		t.Run(name, func(t *testing.T) {
			res, dir := importFixture(t, name)
			golden(t, filepath.Join(dir, "devbox.hcl.golden"), res.HCL)
			golden(t, filepath.Join(dir, "unmapped.golden"), rowsText(res.Unmapped, dir))
			validates(t, dir, res.HCL)
		})
	}
}

// validates parses hcl as devbox.hcl in dir, as `devbox validate` would.
func validates(t *testing.T, dir string, hcl []byte) {
	t.Helper()
	path := filepath.Join(dir, envfile.DefaultFile)
	env, files, diags := envfile.Parse(path, hcl, envfile.Options{Existing: true})
	if !diags.HasErrors() {
		diags = envfile.CheckBackend(env, files, envfile.Options{}, []string{"lxc", "docker"})
	}
	if diags.HasErrors() {
		t.Fatalf("generated devbox.hcl does not validate: %s", diags.Error())
	}
}

func mustContain(t *testing.T, hcl []byte, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !bytes.Contains(hcl, []byte(s)) {
			t.Errorf("devbox.hcl lacks %q:\n%s", s, hcl)
		}
	}
}

func mustNotContain(t *testing.T, hcl []byte, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if bytes.Contains(hcl, []byte(s)) {
			t.Errorf("devbox.hcl has %q:\n%s", s, hcl)
		}
	}
}

func hasRow(rows []Row, service, field, why string) bool {
	for _, r := range rows {
		if r.Service == service && r.Field == field && strings.Contains(r.Why, why) {
			return true
		}
	}
	return false
}

// TestWebApp: images become packages (no docker image left, so both
// engines run it), .env interpolates, a bare variable is passed from the
// host, and what does not map is reported.
func TestWebApp(t *testing.T) {
	res, _ := importFixture(t, "webapp")
	mustContain(t, res.HCL,
		`packages = ["postgresql"]`, `packages  = ["redis-server"]`, `packages = ["nginx"]`,
		`POSTGRES_PASSWORD = "s3cret"`, // from .env
		`DATABASE_URL = "postgres://app:s3cret@db:5432/app"`,
		`DEBUG        = env("DEBUG")`,
		`"--appendonly", "yes"]`, // the compose command's arguments kept
		`host = 19412`, `mounts = ["www"]`, `source    = "./nginx.conf"`,
		`depends_on = ["cache", "db"]`, `restart    = "unless-stopped"`,
		`volume "pgdata" {}`)
	mustNotContain(t, res.HCL, "docker {", `backend = "docker"`)
	if len(res.DockerOnly) != 0 {
		t.Errorf("docker-only services: %v", res.DockerOnly)
	}
	for _, r := range [][2]string{{"cache", "deploy"}, {"db", "cap_add"}, {"db", "logging"}} {
		if !hasRow(res.Unmapped, r[0], r[1], "") {
			t.Errorf("no row for %s %s: %v", r[0], r[1], res.Unmapped)
		}
	}
	if len(res.Unmapped) != 3 {
		t.Errorf("rows: %v", res.Unmapped)
	}
}

// TestHostEnvWinsOverDotEnv: as in Compose, the environment beats .env.
func TestHostEnvWinsOverDotEnv(t *testing.T) {
	res, _ := importFixture(t, "webapp", "DB_PASSWORD=from-host", "WEB_PORT=19499")
	mustContain(t, res.HCL, `POSTGRES_PASSWORD = "from-host"`, "host = 19499")
	mustNotContain(t, res.HCL, "s3cret")
}

// TestExtendsInclude: an included file's service and its relative paths,
// extends across files and within one, !reset, a docker-only image.
func TestExtendsInclude(t *testing.T) {
	res, _ := importFixture(t, "extends")
	mustContain(t, res.HCL,
		`source    = "./db/init"`, `target    = "/docker-entrypoint-initdb.d"`,
		`LOG_LEVEL        = "info"`, `SERVICE_NAME     = "worker"`, `workdir  = "/srv"`,
		`image = "devbox/busybox"`, `backend = "docker"`)
	if strings.Count(string(res.HCL), "host = 19421") != 1 {
		t.Errorf("worker should have no port (ports: !reset []):\n%s", res.HCL)
	}
	for _, r := range [][3]string{
		{"static", "image", "lxc: no package mapping for image devbox/busybox"},
		{"static", "volumes", "tmpfs"},
		{"static", "extra_hosts", ""},
		{"worker", "depends_on.db", "service_completed_successfully"},
		{"api", "restart", "on-failure:3"},
		{"api", "labels", ""},
	} {
		if !hasRow(res.Unmapped, r[0], r[1], r[2]) {
			t.Errorf("no row %v in %v", r, res.Unmapped)
		}
	}
}

// TestProfilesEnvFiles: env files are referenced, never copied; the
// service's own environment stays; profiles are kept; an optional absent
// env file is left out; secrets are reported.
func TestProfilesEnvFiles(t *testing.T) {
	res, _ := importFixture(t, "profiles")
	mustContain(t, res.HCL, `env_file = ["./common.env", "./app.env"]`, `GREETING = "from-environment"`,
		`profiles = ["debug"]`, `profiles = ["docs", "debug"]`)
	mustNotContain(t, res.HCL, "never-in-devbox-hcl", "SECRET_TOKEN", "SHARED", "local.env")
	for _, r := range [][3]string{
		{"app", "env_file", "./local.env is optional"},
		{"", "secrets.token", ""},
		{"docs", "secrets", ""},
	} {
		if !hasRow(res.Unmapped, r[0], r[1], r[2]) {
			t.Errorf("no row %v in %v", r, res.Unmapped)
		}
	}
}

func TestImageName(t *testing.T) {
	for ref, want := range map[string]string{
		"postgres": "postgres", "postgres:16-alpine": "postgres", "docker.io/library/postgres:16": "postgres",
		"registry.example.com:5000/team/redis:7@sha256:abc": "redis", "MariaDB:11": "mariadb",
	} {
		if got := imageName(ref); got != want {
			t.Errorf("imageName(%q) = %q, want %q", ref, got, want)
		}
	}
	if _, ok := lookupServer("bitnami/postgresql:16"); ok {
		t.Error("bitnami/postgresql has other conventions; it must not map")
	}
}

func TestServerCommands(t *testing.T) {
	pg, _ := lookupServer("postgres")
	for _, tc := range []struct {
		args []string
		tail []string
		ok   bool
	}{
		{nil, nil, true},
		{[]string{"postgres", "-c", "fsync=off"}, []string{"-c", "fsync=off"}, true},
		{[]string{"-c", "fsync=off"}, []string{"-c", "fsync=off"}, true},
		{[]string{"sh", "-c", "x"}, nil, false},
	} {
		cmd, ok := pg.command(tc.args)
		if ok != tc.ok || (ok && strings.Join(cmd[4:], " ") != strings.Join(tc.tail, " ")) {
			t.Errorf("postgres %q → %q %v", tc.args, cmd, ok)
		}
	}
	rd, _ := lookupServer("redis:7")
	cmd, _ := rd.command([]string{"redis-server", "/etc/redis.conf", "--port", "7000"})
	if strings.Join(cmd, " ") != "redis-server /etc/redis.conf --bind 0.0.0.0 --protected-mode no --dir /data --port 7000" {
		t.Errorf("redis: %q", cmd)
	}
}

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{"web": "web", "my_db": "my-db", "API.v2": "api-v2", "1st": "x1st", "__": "x"} {
		if got := label(in); got != want {
			t.Errorf("label(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOddCases: names that are not DNS labels, networks with modes, an
// anonymous volume, a udp port, a port without a host port, a port range,
// a bind mount outside the project, a docker-only image with an
// entrypoint: the file validates and each approximation is reported.
func TestOddCases(t *testing.T) {
	dir := t.TempDir()
	src := `services:
  my_db:
    image: postgres:16
    environment: {POSTGRES_PASSWORD: x}
    networks: [back_end]
    volumes: [/var/lib/postgresql/data]
  dns:
    image: example.com/dnsmasq:2
    entrypoint: ["dnsmasq", "-k"]
    ports: ["0.0.0.0:19490:53/udp", "8053", "19491-19492:9000-9001"]
    networks: [front, back_end]
    volumes: ["/etc/hosts:/hosts:ro"]
    depends_on: [my_db]
networks:
  back_end: {internal: true}
  front:
    ipam:
      config: [{subnet: 10.219.0.0/24}]
`
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(context.Background(), LoadOptions{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Convert(p, filepath.Join(dir, envfile.DefaultFile))
	if err != nil {
		t.Fatal(err)
	}
	validates(t, dir, res.HCL)
	mustContain(t, res.HCL, `service "my-db"`, `network "back-end"`, `mode = "isolated"`, `subnet = "10.219.0.0/24"`,
		`networks = ["back-end"]`, `my-db-data = "/var/lib/postgresql/data"`, `protocol = "udp"`, `= "0.0.0.0"`,
		`depends_on = ["my-db"]`, `command = ["dnsmasq", "-k"]`, `image = "example.com/dnsmasq:2"`, `port "p9000"`, `port "p9001"`)
	mustNotContain(t, res.HCL, `"/etc/hosts"`)
	for _, r := range [][3]string{
		{"my_db", "service name", `"my-db"`},
		{"my_db", "network name", `"back-end"`},
		{"dns", "ports", "random host port"},
		{"dns", "volumes", "outside the project"},
		{"dns", "entrypoint", "prepended"},
		{"dns", "image", "no package mapping"},
	} {
		if !hasRow(res.Unmapped, r[0], r[1], r[2]) {
			t.Errorf("no row %v in %v", r, res.Unmapped)
		}
	}
}

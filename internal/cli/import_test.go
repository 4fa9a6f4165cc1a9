package cli

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/internal/testenv"
)

// composeFixture copies internal/compose/testdata/name into a new
// directory (without its golden files) and returns it.
func composeFixture(t *testing.T, name string) string {
	t.Helper()
	src, err := filepath.Abs(filepath.Join("..", "compose", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	err = filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(p, ".golden") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestImportWritesValidFile: import writes devbox.hcl beside the compose
// file, it validates, and the unmapped table is on stderr with exit 0.
func TestImportWritesValidFile(t *testing.T) {
	dir := composeFixture(t, "webapp")
	h := &harness{t: t, dir: dir}
	code, out, errs := h.run("import")
	if code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "wrote "+filepath.Join(dir, "devbox.hcl")) {
		t.Errorf("stdout: %s", out)
	}
	for _, s := range []string{"not mapped (3):", "SERVICE", "cache    deploy", "db       cap_add", "db       logging"} {
		if !strings.Contains(errs, s) {
			t.Errorf("stderr lacks %q:\n%s", s, errs)
		}
	}
	if code, out, errs := h.run("validate"); code != 0 {
		t.Fatalf("validate: exit %d\n%s%s", code, out, errs)
	}
}

// TestImportNeverOverwrites: an existing devbox.hcl stays unless --force.
func TestImportNeverOverwrites(t *testing.T) {
	dir := composeFixture(t, "webapp")
	path := filepath.Join(dir, "devbox.hcl")
	if err := os.WriteFile(path, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, dir: dir}
	code, _, errs := h.run("import")
	if code != ExitBadInput || !strings.Contains(errs, "already exists") || !strings.Contains(errs, "--force") {
		t.Fatalf("import over a file: exit %d\n%s", code, errs)
	}
	if b, _ := os.ReadFile(path); string(b) != "# mine\n" {
		t.Fatalf("devbox.hcl was changed: %s", b)
	}
	if code, _, errs := h.run("import", "--force"); code != 0 {
		t.Fatalf("import --force: exit %d\n%s", code, errs)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), `service "db"`) {
		t.Fatalf("devbox.hcl not replaced: %s", b)
	}
}

// TestImportStrict: --strict writes the file but exits 2 when something
// is not mapped.
func TestImportStrict(t *testing.T) {
	dir := composeFixture(t, "extends")
	h := &harness{t: t, dir: dir}
	code, _, errs := h.run("import", "--strict")
	if code != ExitBadInput || !strings.Contains(errs, "service_completed_successfully") || !strings.Contains(errs, "(--strict)") {
		t.Fatalf("import --strict: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "devbox.hcl")); err != nil {
		t.Fatal(err)
	}
}

// TestImportFileAndOutput: FILE names the compose file (its directory is
// the project's, .env included), -o writes elsewhere, and bind mounts
// outside the written file's directory are reported, not mounted; -o
// into a missing directory is bad input.
func TestImportFileAndOutput(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "app")
	if err := os.Rename(composeFixture(t, "webapp"), sub); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(sub, "dev"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, dir: root}
	if code, _, errs := h.run("import", "app/compose.yaml", "-o", "app/nope/devbox.hcl"); code != ExitBadInput || !strings.Contains(errs, "not a directory") {
		t.Fatalf("-o into a missing directory: exit %d\n%s", code, errs)
	}
	code, out, errs := h.run("import", "app/compose.yaml", "-o", "app/dev/devbox.hcl")
	if code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	b, err := os.ReadFile(filepath.Join(sub, "dev", "devbox.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	// .env beside the compose file was read; ./www is outside app/dev,
	// where devbox mounts nothing, so it is a row instead of a mount.
	if !strings.Contains(string(b), `"s3cret"`) || strings.Contains(string(b), `mount "www"`) {
		t.Errorf("devbox.hcl:\n%s", b)
	}
	if !strings.Contains(errs, "the source is outside the project directory "+filepath.Join(sub, "dev")) {
		t.Errorf("stderr:\n%s", errs)
	}
}

// TestImportBadInput: no compose file, a broken one: exit 2 saying what.
func TestImportBadInput(t *testing.T) {
	h := &harness{t: t, dir: t.TempDir()}
	code, _, errs := h.run("import")
	if code != ExitBadInput || !strings.Contains(errs, "no compose file") {
		t.Fatalf("no compose file: exit %d\n%s", code, errs)
	}
	if err := os.WriteFile(filepath.Join(h.dir, "compose.yaml"), []byte("services:\n  web:\n    image: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = h.run("import")
	if code != ExitBadInput || !strings.Contains(errs, "compose") {
		t.Fatalf("broken compose file: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "devbox.hcl")); err == nil {
		t.Error("a devbox.hcl was written for a broken compose file")
	}
}

// importAndUp imports dir's compose file with env set (ports), then
// brings it up on backend as project; destroyed at cleanup.
func importAndUp(t *testing.T, dir, backend, project string, env map[string]string, getenv func(string) string) func(...string) (int, string, string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	if code, out, errs := realRun(t, getenv, "-C", dir, "import"); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	run := func(verb ...string) (int, string, string) {
		t.Helper()
		return realRun(t, getenv, append([]string{"-C", dir, "--backend", backend, "--project", project}, verb...)...)
	}
	t.Cleanup(func() { run("destroy", "--volumes") })
	start := time.Now()
	if code, out, errs := run("up"); code != 0 {
		hcl, _ := os.ReadFile(filepath.Join(dir, "devbox.hcl"))
		t.Fatalf("up: exit %d\n%s%s\n%s", code, lastN(out, 40), errs, hcl)
	}
	t.Logf("up took %s", time.Since(start).Round(time.Millisecond))
	return run
}

// pgQuery runs query through the forwarded port with the host's psql,
// authenticating with a password as a client of the image would.
func pgQuery(t *testing.T, port int, user, password, db, query string) string {
	t.Helper()
	psql, err := exec.LookPath("psql")
	if err != nil {
		testenv.Missing(t, "psql not installed on the host (postgresql-client)")
		return ""
	}
	var out []byte
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		cmd := exec.Command(psql, "-h", "127.0.0.1", "-p", fmt.Sprint(port), "-U", user, "-d", db, "-w", "-Atc", query)
		cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
		if out, err = cmd.CombinedOutput(); err == nil {
			return strings.TrimSpace(string(out))
		}
	}
	t.Errorf("psql %q as %s on port %d: %v\n%s", query, user, port, err, out)
	return ""
}

// redisPing sends PING to the forwarded port and wants +PONG.
func redisPing(t *testing.T, port int) {
	t.Helper()
	var line string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
		if err != nil {
			line = err.Error()
			continue
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprint(c, "PING\r\n")
		line, _ = bufio.NewReader(c).ReadString('\n')
		c.Close()
		if strings.TrimSpace(line) == "+PONG" {
			return
		}
	}
	t.Errorf("redis PING on port %d: %q", port, line)
}

// checkWebApp: fixture webapp's four services answer: postgres with the
// role, password and database of POSTGRES_*, redis, the web and nginx in
// front of it.
func checkWebApp(t *testing.T, base int) {
	t.Helper()
	if got := pgQuery(t, base+2, "app", "s3cret", "app", "SELECT current_user || '@' || current_database()"); got != "app@app" {
		t.Errorf("postgres: %q", got)
	}
	redisPing(t, base+3)
	for _, port := range []int{base + 1, base} { // web, then nginx → web
		if body := getWithRetry(t, fmt.Sprintf("http://127.0.0.1:%d/", port), 30*time.Second); !strings.Contains(body, "hello from the imported web") {
			t.Errorf("port %d: %q", port, body)
		}
	}
}

func webAppPorts(base int) map[string]string {
	return map[string]string{"PROXY_PORT": fmt.Sprint(base), "WEB_PORT": fmt.Sprint(base + 1),
		"DB_PORT": fmt.Sprint(base + 2), "CACHE_PORT": fmt.Sprint(base + 3)}
}

// TestImportUpDocker imports fixtures webapp (web + postgres + redis +
// nginx) and extends (extends, include, a docker-only image) and brings
// each up on docker offline: the known images became Debian packages
// (through the proxy), busybox is a local image.
func TestImportUpDocker(t *testing.T) {
	if testing.Short() && !testenv.Strict() {
		t.Skip("installs real packages")
	}
	requireProxy(t)
	requireEngine(t, "docker")
	testenv.CacheShared(t)
	t.Run("webapp", func(t *testing.T) {
		base := 19440
		importAndUp(t, composeFixture(t, "webapp"), "docker", fmt.Sprintf("imp-a-docker-%d", os.Getpid()%10000), webAppPorts(base), proxyEnv)
		checkWebApp(t, base)
	})
	t.Run("extends", func(t *testing.T) {
		base := 19460
		env := map[string]string{"API_PORT": fmt.Sprint(base), "STATIC_PORT": fmt.Sprint(base + 1), "DB_PORT": fmt.Sprint(base + 2)}
		run := importAndUp(t, composeFixture(t, "extends"), "docker", fmt.Sprintf("imp-b-docker-%d", os.Getpid()%10000), env, proxyEnv)
		if got := pgQuery(t, base+2, "postgres", "devpass", "postgres", "SELECT what FROM seeded"); got != "from docker-entrypoint-initdb.d" {
			t.Errorf("init script: %q", got)
		}
		getWithRetry(t, fmt.Sprintf("http://127.0.0.1:%d/", base), 30*time.Second)
		if body := getWithRetry(t, fmt.Sprintf("http://127.0.0.1:%d/", base+1), 30*time.Second); !strings.Contains(body, "static ok") {
			t.Errorf("static: %q", body)
		}
		if _, out, _ := run("exec", "worker", "--", "sh", "-c", "echo $SERVICE_NAME $LOG_LEVEL"); strings.TrimSpace(out) != "worker info" {
			t.Errorf("worker env (extends): %q", out)
		}
	})
}

// TestImportUpLXC: the imported postgres, redis, nginx and python
// mappings of fixture webapp come up in one lxc system container.
func TestImportUpLXC(t *testing.T) {
	if testing.Short() && !testenv.Strict() {
		t.Skip("installs real packages")
	}
	requireProxy(t)
	requireEngine(t, "lxc")
	testenv.CacheShared(t)
	base := 19450
	importAndUp(t, composeFixture(t, "webapp"), "lxc", fmt.Sprintf("imp-a-lxc-%d", os.Getpid()%10000), webAppPorts(base), proxyEnv)
	checkWebApp(t, base)
}

// TestImportUpProfiles: fixture profiles on docker. env_file values
// reach the service (later files win, the service's environment wins
// over them), and services with profiles come up only when one is active.
func TestImportUpProfiles(t *testing.T) {
	if testing.Short() && !testenv.Strict() {
		t.Skip("installs real packages")
	}
	requireProxy(t)
	requireEngine(t, "docker")
	testenv.CacheShared(t)
	base := 19470
	env := map[string]string{"APP_PORT": fmt.Sprint(base), "CACHE_PORT": fmt.Sprint(base + 1), "DOCS_PORT": fmt.Sprint(base + 2)}
	dir := composeFixture(t, "profiles")
	project := fmt.Sprintf("imp-c-docker-%d", os.Getpid()%10000)
	run := importAndUp(t, dir, "docker", project, env, proxyEnv)
	getWithRetry(t, fmt.Sprintf("http://127.0.0.1:%d/", base), 30*time.Second)
	if _, out, _ := run("exec", "app", "--", "sh", "-c", "echo $GREETING $SHARED $SECRET_TOKEN $APP_MODE"); strings.TrimSpace(out) != "from-environment from-app-env never-in-devbox-hcl dev" {
		t.Errorf("app env: %q", out)
	}
	if _, out, _ := run("status", "--json"); strings.Contains(out, `"cache"`) || strings.Contains(out, `"docs"`) {
		t.Errorf("services of inactive profiles are up:\n%s", out)
	}
	withDebug := func(k string) string {
		if k == "DEVBOX_PROFILES" {
			return "debug"
		}
		return proxyEnv(k)
	}
	if code, out, errs := realRun(t, withDebug, "-C", dir, "--backend", "docker", "--project", project, "up"); code != 0 {
		t.Fatalf("up with DEVBOX_PROFILES=debug: exit %d\n%s%s", code, lastN(out, 30), errs)
	}
	redisPing(t, base+1)
	getWithRetry(t, fmt.Sprintf("http://127.0.0.1:%d/", base+2), 30*time.Second)
}

package docker

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/envfile"
)

// srvPy answers every TCP connection with one line: "<name> says <ROLE>".
const srvPy = `import os, socket, sys
port, name = int(sys.argv[1]), sys.argv[2]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", port)); s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(("%s says %s\n" % (name, os.environ.get("ROLE", "-"))).encode()); c.close()
`

// webPy is an HTTP server on 8080 that asks db (found by the discovery
// variables) and cache (found by DNS) on every request. It reaches db once
// at startup and exits if it cannot: depends_on must have waited.
const webPy = `import os, socket
def ask(host, port):
    c = socket.create_connection((host, int(port)), timeout=5)
    data = c.makefile().readline().strip(); c.close(); return data
first = ask(os.environ["DB_PORT_5432_TCP_ADDR"], os.environ["DB_PORT_5432_TCP_PORT"])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080)); s.listen(16)
while True:
    c, _ = s.accept()
    try:
        c.recv(4096)
        body = "\n".join([first, ask(os.environ["DB_HOST"], os.environ["DB_PORT_5432_TCP_PORT"]),
                          ask("cache", 6379), "db role " + os.environ.get("DB_ENV_ROLE", "?"),
                          os.environ.get("GREETING", "")]) + "\n"
        c.sendall(("HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)).encode())
    except Exception as e:
        c.sendall(("HTTP/1.0 500 ERR\r\n\r\n%s\n" % e).encode())
    c.close()
`

// shop is a db, a cache and a web service on an isolated network, with the
// app scripts bind-mounted read-only and web forwarded to webPort.
func shop(t *testing.T, project string, webPort int) *envfile.Environment {
	dir := t.TempDir()
	writeFile(t, dir, "srv.py", srvPy)
	writeFile(t, dir, "web.py", webPy)
	health := func(port string) *envfile.Health {
		return &envfile.Health{Command: []string{"nc", "-z", "127.0.0.1", port},
			Interval: envfile.Duration(300 * time.Millisecond), Timeout: envfile.Duration(2 * time.Second), Retries: 30}
	}
	return &envfile.Environment{
		Project: project, Image: debianImage, Dir: dir,
		Networks: []envfile.Network{{Name: "lan", Mode: envfile.NetworkIsolated}},
		Mounts:   []envfile.Mount{{Name: "app", Source: dir, Target: "/app", ReadOnly: true}},
		Services: []envfile.Service{
			{Name: "db", Command: []string{"python3", "/app/srv.py", "5432", "db"}, Env: map[string]string{"ROLE": "database"},
				Ports: []envfile.Port{{Name: "pg", Port: 5432}}, Mounts: []string{"app"}, Networks: []string{"lan"},
				Health: health("5432"), Restart: "no"},
			{Name: "cache", Command: []string{"python3", "/app/srv.py", "6379", "cache"},
				Ports: []envfile.Port{{Name: "redis", Port: 6379}}, Mounts: []string{"app"}, Networks: []string{"lan"},
				Health: health("6379"), Restart: "no"},
			{Name: "web", Command: []string{"python3", "/app/web.py"}, Env: map[string]string{"GREETING": "hello"},
				Ports: []envfile.Port{{Name: "http", Port: 8080, Host: webPort}}, Mounts: []string{"app"}, Networks: []string{"lan"},
				DependsOn: []string{"db", "cache"}, Restart: "no"},
		},
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	var last error
	for i := 0; i < 50; i++ {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return string(b)
			}
			err = fmt.Errorf("%s: %s", resp.Status, b)
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("GET %s: %v", url, last)
	return ""
}

// TestShop brings up three linked services, checks discovery by variables
// and by name and a forwarded port from the host, then re-ups: unchanged
// is a no-op, and one changed service is the only one replaced.
func TestShop(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkshop")
	port := freePort(t)
	env := shop(t, p, port)

	if err := b.Preflight(context.Background(), env); err != nil {
		t.Fatalf("preflight: %v", err)
	}
	mustUp(t, b, env)
	body := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port))
	for _, want := range []string{"db says database\ndb says database\ncache says -\ndb role database\nhello"} {
		if !strings.Contains(body, want) {
			t.Errorf("web answered %q, want %q", body, want)
		}
	}

	out, code := execOut(t, b, env, "web", "env")
	if code != 0 {
		t.Fatalf("env: exit %d", code)
	}
	for _, want := range []string{"DB_HOST=db\n", "DB_NAME=/web/db\n", "DB_PORT=tcp://db:5432\n", "DB_PORT_5432_TCP=tcp://db:5432\n",
		"DB_PORT_5432_TCP_ADDR=db\n", "DB_PORT_5432_TCP_PORT=5432\n", "DB_PORT_5432_TCP_PROTO=tcp\n", "DB_ENV_ROLE=database\n",
		"CACHE_HOST=cache\n", "CACHE_PORT_6379_TCP=tcp://cache:6379\n", "GREETING=hello\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("web's env lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "WEB_") {
		t.Errorf("web sees its own link variables:\n%s", out)
	}
	out, code = execOut(t, b, env, "db", "sh", "-c", "echo $WEB_PORT_8080_TCP; echo $CACHE_HOST; getent hosts web cache | wc -l")
	if code != 0 || out != "tcp://web:8080\ncache\n2\n" {
		t.Errorf("db sees %q (exit %d)", out, code)
	}
	if _, code := execOut(t, b, env, "web", "sh", "-c", "echo x > /app/x"); code == 0 {
		t.Error("read-only mount is writable")
	}

	// Status.
	st, err := b.Status(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.State != "running" || len(s.Addresses) == 0 {
			t.Errorf("status %+v", s)
		}
		if s.Name == "db" && s.Health != "healthy" {
			t.Errorf("db health %q", s.Health)
		}
		if s.Name == "web" && (len(s.Ports) != 1 || s.Ports[0] != fmt.Sprintf("127.0.0.1:%d->8080/tcp", port)) {
			t.Errorf("web ports %v", s.Ports)
		}
	}

	// Re-up: nothing changes, nothing is touched.
	before := ids(t, b, p)
	plan := mustUp(t, b, env)
	if plan.Changes() != 0 {
		t.Errorf("re-up changed %d things: %v", plan.Changes(), ops(plan))
	}
	after := ids(t, b, p)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: ID changed on a no-op re-up", k)
		}
	}

	// One service changed: only it is replaced. (Not its env: web has
	// ports, so its env is in the others' WEB_ENV_* variables.)
	env.Services[2].Workdir = "/tmp"
	plan = mustUp(t, b, env)
	want := map[string]string{"network/lan": "keep", "service/db": "keep", "service/cache": "keep", "service/web": "replace"}
	for k, v := range want {
		if ops(plan)[k] != v {
			t.Errorf("%s: %s, want %s (plan %v)", k, ops(plan)[k], v, ops(plan))
		}
	}
	after = ids(t, b, p)
	for k, v := range before {
		if (after[k] != v) != (k == "service/web") {
			t.Errorf("%s: replaced=%v", k, after[k] != v)
		}
	}
	if out, _ := execOut(t, b, env, "web", "pwd"); out != "/tmp\n" {
		t.Errorf("after replace web's workdir is %q", out)
	}
	// Apply does not wait for web's start-up (it has no health check), and
	// web exits if db is gone before it first reaches it: let it answer.
	httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port))

	// db's env changes: only db is replaced. web keeps the DB_ENV_ROLE it
	// was created with (as with Docker's links) until it is replaced for a
	// change of its own (package discovery).
	env.Services[0].Env["ROLE"] = "primary"
	plan = mustUp(t, b, env)
	want = map[string]string{"service/db": "replace", "service/web": "keep", "service/cache": "keep"}
	for k, v := range want {
		if ops(plan)[k] != v {
			t.Errorf("%s: %s, want %s (plan %v)", k, ops(plan)[k], v, ops(plan))
		}
	}
	if body := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); !strings.Contains(body, "db role database") {
		t.Errorf("after db's env change the kept web answers %q", body)
	}
	env.Services[2].Workdir = "/"
	mustUp(t, b, env)
	if body := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); !strings.Contains(body, "db role primary") {
		t.Errorf("after web is replaced it answers %q", body)
	}
}

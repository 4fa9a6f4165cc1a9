package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/internal/testenv"
)

// packageProxy is testenv's: the host's caching proxy for packages.
const packageProxy = testenv.PackageProxy

func requireProxy(t *testing.T) { testenv.RequireProxy(t) }

// proxyEnv is the test process's environment plus the package proxy, as a
// user behind a proxy runs devbox.
func proxyEnv(k string) string {
	if k == "http_proxy" {
		return packageProxy
	}
	return os.Getenv(k)
}

// TestExampleNotesRealServers brings examples/notes up on each engine with
// its packages installed by devbox through the proxy — PostgreSQL 15,
// Redis, nginx, uWSGI with two workers — and checks each server through its
// forwarded port and through `devbox logs`, that no service sees the
// proxy, and that the PostgreSQL data survives destroy.
func TestExampleNotesRealServers(t *testing.T) {
	if testing.Short() && !testenv.Strict() {
		t.Skip("installs real packages")
	}
	requireProxy(t)
	base := map[string]int{"docker": 28300, "lxc": 28310}
	for _, backend := range []string{"docker", "lxc"} {
		t.Run(backend, func(t *testing.T) {
			requireEngine(t, backend)
			testenv.CacheShared(t)
			dir, err := filepath.Abs("../../examples/notes")
			if err != nil {
				t.Fatal(err)
			}
			web, pg, rd := base[backend], base[backend]+1, base[backend]+2
			project := fmt.Sprintf("notes-e2e-%s-%d", backend, os.Getpid()%10000)
			run := func(verb ...string) (int, string, string) {
				t.Helper()
				args := []string{"-C", dir, "--backend", backend, "--project", project,
					"--var", fmt.Sprint("web_port=", web), "--var", fmt.Sprint("pg_port=", pg), "--var", fmt.Sprint("redis_port=", rd)}
				return realRun(t, proxyEnv, append(args, verb...)...)
			}
			t.Cleanup(func() { run("destroy", "--volumes") })
			up := func() {
				t.Helper()
				start := time.Now()
				if code, out, errs := run("up"); code != 0 {
					t.Fatalf("up: exit %d\n%s%s", code, out, errs)
				}
				t.Logf("up took %s", time.Since(start).Round(time.Millisecond))
			}
			up()
			url := fmt.Sprintf("http://127.0.0.1:%d", web)
			resp, err := http.Post(url+"/notes", "text/plain", strings.NewReader("buy milk"))
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("POST /notes: %v %v", resp, err)
			}
			resp.Body.Close()
			var got struct {
				Notes []string
				Hits  int
			}
			if err := json.Unmarshal([]byte(getWithRetry(t, url+"/notes", 20*time.Second)), &got); err != nil || len(got.Notes) != 1 || got.Notes[0] != "buy milk" || got.Hits < 1 {
				t.Errorf("GET /notes: %+v %v", got, err)
			}
			checkTwoWorkers(t, url+"/slow")
			checkPostgres(t, pg, "SELECT text FROM notes", "buy milk")
			checkRedis(t, rd)
			checkLogs(t, run, map[string][]string{
				"web":   {`"GET /notes HTTP/1.1" 200`, "start worker process"}, // /dev/stdout and /dev/stderr
				"db":    {"database system is ready to accept connections"},
				"app":   {"spawned uWSGI worker 2"},
				"cache": {"Ready to accept connections"},
			})
			for _, svc := range []string{"db", "cache", "app", "web"} {
				if _, out, _ := run("exec", svc, "--", "env"); strings.Contains(strings.ToLower(out), "_proxy=") {
					t.Errorf("%s's environment has the provisioning proxy:\n%s", svc, out)
				}
			}
			if code, out, errs := run("destroy"); code != 0 {
				t.Fatalf("destroy: exit %d\n%s%s", code, out, errs)
			}
			up()
			checkPostgres(t, pg, "SELECT text FROM notes", "buy milk")
		})
	}
}

// checkTwoWorkers sends two slow requests at once: two uWSGI workers
// answer them.
func checkTwoWorkers(t *testing.T, url string) {
	t.Helper()
	var wg sync.WaitGroup
	workers := make([]int, 2)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r struct{ Worker int }
			if err := json.Unmarshal([]byte(getWithRetry(t, url, 10*time.Second)), &r); err == nil {
				workers[i] = r.Worker
			}
		}()
	}
	wg.Wait()
	if workers[0] == 0 || workers[0] == workers[1] {
		t.Errorf("two concurrent requests were answered by workers %v, want two", workers)
	}
}

// checkPostgres queries through the forwarded port with the host's psql.
func checkPostgres(t *testing.T, port int, query, want string) {
	t.Helper()
	psql, err := exec.LookPath("psql")
	if err != nil {
		testenv.Missing(t, "psql not installed on the host (postgresql-client)")
		return
	}
	var out []byte
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		out, err = exec.Command(psql, "-h", "127.0.0.1", "-p", fmt.Sprint(port), "-U", "postgres", "-Atc", query).CombinedOutput()
		if err == nil {
			break
		}
	}
	if err != nil || strings.TrimSpace(string(out)) != want {
		t.Errorf("psql %q on port %d: %v\n%s", query, port, err, out)
	}
}

// checkRedis speaks RESP to the forwarded port.
func checkRedis(t *testing.T, port int) {
	t.Helper()
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
	if err != nil {
		t.Errorf("redis: %v", err)
		return
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprint(c, "GET hits\r\n")
	r := bufio.NewReader(c)
	line, _ := r.ReadString('\n')
	if !strings.HasPrefix(line, "$") {
		t.Errorf("redis GET hits: %q", line)
	}
}

// checkLogs: each service's `devbox logs` has the lines.
func checkLogs(t *testing.T, run func(...string) (int, string, string), want map[string][]string) {
	t.Helper()
	for svc, lines := range want {
		var out string
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
			_, out, _ = run("logs", svc)
			if containsAll(out, lines) {
				break
			}
		}
		if !containsAll(out, lines) {
			t.Errorf("logs %s lack %q:\n%s", svc, lines, lastN(out, 20))
		}
	}
}

func containsAll(s string, subs []string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

func lastN(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

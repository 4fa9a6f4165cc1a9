package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestExampleShopEndToEnd brings examples/shop up on each real engine
// through the CLI, as the README's quick start does: the web service
// answers on its forwarded port with what db and cache told it (found by
// discovery variables and by name), a second up does nothing, and destroy
// leaves the example's files alone.
func TestExampleShopEndToEnd(t *testing.T) {
	ports := map[string]string{"docker": "28281", "lxc": "28282"}
	seen := map[string]string{} // backend -> the discovery variable names web sees
	t.Cleanup(func() {
		t.Logf("discovery variables web sees: %v", seen)
		if len(seen) == 2 && seen["docker"] != seen["lxc"] {
			t.Errorf("web sees different discovery variables:\ndocker: %s\nlxc:    %s", seen["docker"], seen["lxc"])
		}
	})
	for _, name := range []string{"docker", "lxc"} {
		t.Run(name, func(t *testing.T) {
			requireEngine(t, name)
			dir := exampleDir(t)
			before := snapshotDir(t, dir)
			project := fmt.Sprintf("shop-e2e-%s-%d", name, os.Getpid()%10000)
			args := func(verb ...string) []string {
				return append([]string{"-C", dir, "--backend", name, "--var", "web_port=" + ports[name],
					"--project", project}, verb...)
			}
			t.Cleanup(func() { realRun(t, os.Getenv, args("destroy", "--volumes")...) })

			code, out, errs := realRun(t, os.Getenv, args("up")...)
			if code != 0 {
				t.Fatalf("up: exit %d\n%s%s", code, out, errs)
			}
			body := getWithRetry(t, "http://127.0.0.1:"+ports[name]+"/", 20*time.Second)
			var got map[string]string
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("web answered %q: %v", body, err)
			}
			want := map[string]string{"db": "PONG db", "cache": "PONG cache", "db_by_name": "PONG db", "db_env_role": "database"}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("web says %s=%q, want %q (whole answer %s)", k, got[k], v, body)
				}
			}

			code, out, _ = realRun(t, os.Getenv, args("up")...)
			if code != 0 || !strings.Contains(out, "0 change(s)") {
				t.Errorf("second up was not a no-op: exit %d\n%s", code, out)
			}
			code, out, errs = realRun(t, os.Getenv, args("exec", "web", "--", "sh", "-c", "echo $DB_PORT_5432_TCP_ADDR:$DB_PORT_5432_TCP_PORT; exit 3")...)
			if code != 3 || strings.TrimSpace(out) != "db:5432" {
				t.Errorf("exec: exit %d, out %q, err %s", code, out, errs)
			}
			_, out, _ = realRun(t, os.Getenv, args("exec", "web", "--", "sh", "-c", "env | grep -E '^(DB|CACHE)_' | cut -d= -f1 | sort | tr '\\n' ' '")...)
			if !strings.Contains(out, "DB_PORT_5432_TCP_ADDR") || !strings.Contains(out, "CACHE_HOST") {
				t.Errorf("web's discovery variables on %s: %q", name, out)
			}
			seen[name] = out
			if code, out, errs = realRun(t, os.Getenv, args("destroy")...); code != 0 {
				t.Fatalf("destroy: exit %d\n%s%s", code, out, errs)
			}
			if after := snapshotDir(t, dir); after != before {
				t.Errorf("the example's files changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func getWithRetry(t *testing.T, url string, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode == 200 {
				return string(b)
			}
			err = fmt.Errorf("status %d, read %v", resp.StatusCode, rerr)
		}
		last = err
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("GET %s: %v", url, last)
	return ""
}

// snapshotDir lists names, sizes and modes under dir.
func snapshotDir(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, err := os.ReadDir(dir + "/app")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s:%d:%v:%v;", e.Name(), info.Size(), info.Mode(), info.ModTime().UnixNano())
	}
	return b.String()
}

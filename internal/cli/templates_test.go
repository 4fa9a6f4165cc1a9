package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/internal/testenv"
	"github.com/devbox-dev/devbox/templates"
)

// tplFreePort returns a TCP port nothing listens on right now.
func tplFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestWebTemplateComesUp brings the web + database + cache template up on
// each real engine, offline, and asks its web service through the
// forwarded port what the db and the cache said.
func TestWebTemplateComesUp(t *testing.T) {
	for _, name := range engineNames() {
		t.Run(name, func(t *testing.T) {
			requireEngine(t, name)
			dir := t.TempDir()
			project := testenv.Project(t, "tplweb-"+name)
			src, err := templates.Render("web", templates.Options{Backend: name, Project: project})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "devbox.hcl"), src, 0o644); err != nil {
				t.Fatal(err)
			}
			port := tplFreePort(t)
			t.Cleanup(func() {
				if code, out, errs := realRun(t, os.Getenv, "-C", dir, "destroy", "--volumes"); code != 0 {
					t.Errorf("destroy: exit %d\n%s%s", code, out, errs)
				}
			})
			code, out, errs := realRun(t, os.Getenv, "-C", dir, "--var", fmt.Sprint("web_port=", port), "up")
			if code != 0 {
				t.Fatalf("up: exit %d\n%s%s", code, out, errs)
			}
			var got map[string]any
			url := fmt.Sprintf("http://127.0.0.1:%d/", port)
			deadline := time.Now().Add(60 * time.Second)
			for {
				got, err = tplGetJSON(url)
				if err == nil || time.Now().After(deadline) {
					break
				}
				time.Sleep(500 * time.Millisecond)
			}
			if err != nil {
				t.Fatalf("GET %s: %v", url, err)
			}
			t.Logf("%s answered: %v", url, got)
			if got["db"] != "PONG db" || got["cache"] != "PONG cache" || got["greeting"] != "hello from devbox" {
				t.Errorf("web answered %v", got)
			}
			again, err := tplGetJSON(url)
			if err != nil || again["visits"].(float64) != got["visits"].(float64)+1 {
				t.Errorf("second GET: %v %v (the db should count visits)", again, err)
			}
		})
	}
}

func tplGetJSON(url string) (map[string]any, error) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("status %s: %s", resp.Status, body)
	}
	var m map[string]any
	return m, json.Unmarshal(body, &m)
}

// TestPostgresTemplateComesUp brings the postgres template up on each real
// engine, PostgreSQL installed by devbox through the package proxy: the
// app answers through its forwarded port with a count kept in the
// database, and the count survives destroy (the volume does).
func TestPostgresTemplateComesUp(t *testing.T) {
	if testing.Short() && !testenv.Strict() {
		t.Skip("installs real packages")
	}
	requireProxy(t)
	for _, name := range engineNames() {
		t.Run(name, func(t *testing.T) {
			requireEngine(t, name)
			testenv.CacheShared(t)
			dir := t.TempDir()
			project := testenv.Project(t, "tplpg-"+name)
			src, err := templates.Render("postgres", templates.Options{Backend: name, Project: project})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "devbox.hcl"), src, 0o644); err != nil {
				t.Fatal(err)
			}
			web, pg := tplFreePort(t), tplFreePort(t)
			run := func(args ...string) (int, string, string) {
				return realRun(t, proxyEnv, append([]string{"-C", dir, "--var", fmt.Sprint("web_port=", web), "--var", fmt.Sprint("pg_port=", pg)}, args...)...)
			}
			t.Cleanup(func() { run("destroy", "--volumes") })
			visits := func() float64 {
				t.Helper()
				if code, out, errs := run("up"); code != 0 {
					t.Fatalf("up: exit %d\n%s%s", code, out, errs)
				}
				var got map[string]any
				url := fmt.Sprintf("http://127.0.0.1:%d/", web)
				for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(500 * time.Millisecond) {
					if got, err = tplGetJSON(url); err == nil || time.Now().After(deadline) {
						break
					}
				}
				if err != nil {
					t.Fatalf("GET %s: %v", url, err)
				}
				n, _ := got["visits"].(float64)
				return n
			}
			if n := visits(); n != 1 {
				t.Errorf("first visit counted %v", n)
			}
			checkPostgres(t, pg, "SELECT count(*) FROM visits", "1")
			if code, out, errs := run("destroy"); code != 0 {
				t.Fatalf("destroy: exit %d\n%s%s", code, out, errs)
			}
			if n := visits(); n != 2 {
				t.Errorf("after destroy and up the count is %v, want 2 (the volume keeps the data)", n)
			}
		})
	}
}

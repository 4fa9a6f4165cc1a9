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

	"github.com/devbox-dev/devbox/backends"
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
	for _, name := range backends.Names {
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

package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestStatusDashboardInTmux runs the real binary's `devbox status` in tmux
// against a real environment on each engine: every service shows running,
// `l` shows the selected service's log lines, a service stopped from
// another shell changes its row within 3 seconds, and `q` exits 0.
func TestStatusDashboardInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		testenv.Missing(t, "tmux not available: %v", err)
	}
	bin := buildDevbox(t)
	ports := map[string]string{"docker": "28291", "lxc": "28292"}
	for _, name := range []string{"docker", "lxc"} {
		t.Run(name, func(t *testing.T) {
			requireEngine(t, name)
			project := fmt.Sprintf("tmux-%s-%d", name, os.Getpid()%10000)
			base := []string{"-C", exampleDir(t), "--backend", name, "-p", project, "--var", "web_port=" + ports[name]}
			devbox := func(args ...string) (string, error) {
				out, err := exec.Command(bin, append(append([]string{}, base...), args...)...).CombinedOutput()
				return string(out), err
			}
			t.Cleanup(func() { devbox("destroy", "--volumes") })
			if out, err := devbox("up"); err != nil {
				t.Fatalf("up: %v\n%s", err, out)
			}

			session := "devbox-" + project
			cmd := bin + " " + strings.Join(base, " ") + " status; echo DASHBOARD-EXIT=$?; sleep 60"
			if out, err := exec.Command("tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "30", cmd).CombinedOutput(); err != nil {
				t.Fatalf("tmux: %v %s", err, out)
			}
			t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", session).Run() })
			screen := func() string {
				out, _ := exec.Command("tmux", "capture-pane", "-p", "-t", session).Output()
				return string(out)
			}
			keys := func(k ...string) {
				for _, key := range k {
					exec.Command("tmux", "send-keys", "-t", session, key).Run()
					time.Sleep(300 * time.Millisecond)
				}
			}
			waitScreen(t, screen, 20*time.Second, "every service running", func(s string) bool {
				return rowState(s, "db") == "running" && rowState(s, "cache") == "running" && rowState(s, "web") == "running"
			})

			keys("l") // the first row (db) is selected
			waitScreen(t, screen, 10*time.Second, "db's log lines", func(s string) bool {
				return strings.Contains(s, "db listening on 5432")
			})
			keys("Escape")
			waitScreen(t, screen, 5*time.Second, "the table again", func(s string) bool { return rowState(s, "db") == "running" })

			stop := exec.Command("docker", "stop", project+"-cache")
			if name == "lxc" {
				stop = exec.Command("incus", "exec", "devbox-"+project, "--", "systemctl", "stop", "devbox-cache.service")
			}
			if out, err := stop.CombinedOutput(); err != nil {
				t.Fatalf("stop cache from another shell: %v %s", err, out)
			}
			stopped := time.Now()
			waitScreen(t, screen, 3*time.Second, "cache's row to change", func(s string) bool {
				st := rowState(s, "cache")
				return st != "" && st != "running"
			})
			t.Logf("%s: cache row changed %s after the stop", name, time.Since(stopped).Round(10*time.Millisecond))

			keys("q")
			waitScreen(t, screen, 5*time.Second, "exit status 0", func(s string) bool {
				return strings.Contains(s, "DASHBOARD-EXIT=0")
			})
		})
	}
}

// rowState returns the STATE column of service's row on screen.
func rowState(screen, service string) string {
	for _, line := range strings.Split(screen, "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), ">"))
		if len(f) >= 2 && f[0] == service {
			return f[1]
		}
	}
	return ""
}

func waitScreen(t *testing.T, screen func() string, within time.Duration, what string, ok func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	s := screen()
	for !ok(s) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s; screen:\n%s", within, what, s)
		}
		time.Sleep(100 * time.Millisecond)
		s = screen()
	}
}

func buildDevbox(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "devbox")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/devbox-dev/devbox/cmd/devbox").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestProfilesAndEnvFileOnRealEngines, on each engine: up leaves the debug
// profile's service out and the env file's values reach the service; up
// --profile debug adds it and keeps the others; up without the profile
// keeps it (not an orphan); editing the env file replaces that service
// only; destroy removes everything, the debug service too.
func TestProfilesAndEnvFileOnRealEngines(t *testing.T) {
	for _, backend := range engineNames() {
		t.Run(backend, func(t *testing.T) {
			requireEngine(t, backend)
			t.Setenv("DEVBOX_NO_NAT", "1")
			dir := t.TempDir()
			project := testenv.Project(t, "prof-"+backend)
			hcl := fmt.Sprintf(`project = %q
backend = %q
image   = "debian/12"
service "app" {
  command  = ["sleep", "infinity"]
  env_file = ["app.env"]
  env      = { ROLE = "app" }
}
service "other" {
  command = ["sleep", "infinity"]
}
service "debug" {
  command  = ["sleep", "infinity"]
  profiles = ["debug"]
}
`, project, backend)
			writeFile := func(name, body string) {
				t.Helper()
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			writeFile("devbox.hcl", hcl)
			writeFile("app.env", "# the app's settings\nGREETING='hello world'\nROLE=from-file\n")
			getenv := func(k string) string {
				if k == "DEVBOX_PROFILES" {
					return "" // the test says which profiles
				}
				return os.Getenv(k)
			}
			run := func(args ...string) (int, string, string) {
				t.Helper()
				return realRun(t, getenv, append([]string{"-C", dir}, args...)...)
			}
			t.Cleanup(func() { run("destroy", "--volumes") })
			up := func(args ...string) string {
				t.Helper()
				code, out, errs := run(append(args, "up")...)
				if code != 0 {
					t.Fatalf("%v up: exit %d\n%s%s", args, code, out, errs)
				}
				return out
			}
			// started is each service's state and start time, debug's too.
			started := func() map[string]string {
				t.Helper()
				code, out, errs := run("--profile", "debug", "--json", "status")
				if code != 0 {
					t.Fatalf("status: exit %d\n%s%s", code, out, errs)
				}
				var st struct {
					Services []struct {
						Name, State string
						StartedAt   string `json:"started_at"`
					}
				}
				if err := json.Unmarshal([]byte(out), &st); err != nil {
					t.Fatalf("status: %v\n%s", err, out)
				}
				m := map[string]string{}
				for _, s := range st.Services {
					m[s.Name] = s.State + "@" + s.StartedAt
				}
				return m
			}
			printenv := func(name string) string {
				t.Helper()
				code, out, errs := run("exec", "app", "--", "printenv", name)
				if code != 0 {
					t.Fatalf("exec app printenv %s: exit %d\n%s%s", name, code, out, errs)
				}
				return strings.TrimSpace(out)
			}

			up()
			s0 := started()
			if !strings.HasPrefix(s0["app"], "running@2") || !strings.HasPrefix(s0["other"], "running@2") || s0["debug"] != "missing@" {
				t.Fatalf("after up: %v, want app and other running, debug missing", s0)
			}
			if g, r := printenv("GREETING"), printenv("ROLE"); g != "hello world" || r != "app" {
				t.Errorf("app sees GREETING=%q ROLE=%q, want the env file's value and env's over it", g, r)
			}

			out := up("--profile", "debug")
			s1 := started()
			if !strings.Contains(out, "+ service/debug") || !strings.HasPrefix(s1["debug"], "running@") ||
				s1["app"] != s0["app"] || s1["other"] != s0["other"] {
				t.Fatalf("up --profile debug:\n%s\nbefore %v\nafter  %v", out, s0, s1)
			}

			out = up()
			if s2 := started(); !strings.Contains(out, "profile not active; kept") || !strings.Contains(out, "nothing to do") ||
				s2["debug"] != s1["debug"] || s2["app"] != s1["app"] {
				t.Fatalf("up without the profile:\n%s\nbefore %v\nafter  %v", out, s1, s2)
			}

			writeFile("app.env", "GREETING=changed\n")
			out = up()
			s3 := started()
			if !strings.Contains(out, "~ service/app") || s3["app"] == s1["app"] || !strings.HasPrefix(s3["app"], "running@") ||
				s3["other"] != s1["other"] || s3["debug"] != s1["debug"] {
				t.Fatalf("up after editing app.env:\n%s\nbefore %v\nafter  %v", out, s1, s3)
			}
			if g := printenv("GREETING"); g != "changed" {
				t.Errorf("after the edit app sees GREETING=%q", g)
			}

			if code, out, errs := run("destroy"); code != 0 {
				t.Fatalf("destroy: exit %d\n%s%s", code, out, errs)
			}
			code, out, errs := run("--profile", "debug", "--json", "plan")
			if code != 0 {
				t.Fatalf("plan after destroy: exit %d\n%s%s", code, out, errs)
			}
			var p struct {
				Actions []struct {
					Op       string
					Resource struct{ Kind, Name string }
				}
			}
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				t.Fatalf("plan: %v\n%s", err, out)
			}
			for _, a := range p.Actions {
				if a.Resource.Kind == "service" && a.Op != "create" {
					t.Errorf("after destroy, plan has %s %s/%s: something survived", a.Op, a.Resource.Kind, a.Resource.Name)
				}
			}
		})
	}
}

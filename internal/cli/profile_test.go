package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
)

const profileHCL = `project = "prof-fake"
backend = "docker"

service "web" {
  command  = ["web"]
  env_file = ["web.env"]
  env      = { ROLE = "web" }
}

service "debug" {
  command  = ["sleep", "infinity"]
  profiles = ["debug"]
}
`

// newProfileHarness is a harness with profileHCL and its env file.
func newProfileHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, profileHCL)
	if err := os.WriteFile(filepath.Join(h.dir, "web.env"), []byte("GREETING=hello\nROLE=from-file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return h
}

// configOf runs config with args and decodes what the tests look at.
func configOf(t *testing.T, h *harness, args ...string) (services, disabled, active []string, env map[string]string) {
	t.Helper()
	code, out, errs := h.run(append(args, "config")...)
	if code != 0 {
		t.Fatalf("config %v: exit %d\n%s%s", args, code, out, errs)
	}
	var cfg struct {
		Services []struct {
			Name string
			Env  map[string]string
		}
		Disabled []string `json:"disabled_services"`
		Active   []string `json:"active_profiles"`
	}
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatalf("config output: %v\n%s", err, out)
	}
	for _, s := range cfg.Services {
		services = append(services, s.Name)
		if s.Name == "web" {
			env = s.Env
		}
	}
	return services, cfg.Disabled, cfg.Active, env
}

// --profile (repeatable, comma lists too) and DEVBOX_PROFILES choose the
// active profiles; the flag wins; config shows them, the disabled
// services, and the env file's values under the service's env.
func TestProfileFlagAndEnv(t *testing.T) {
	h := newProfileHarness(t)
	svcs, dis, act, env := configOf(t, h)
	if !reflect.DeepEqual(svcs, []string{"web"}) || !reflect.DeepEqual(dis, []string{"debug"}) || len(act) != 0 {
		t.Errorf("no profile: services %v, disabled %v, active %v", svcs, dis, act)
	}
	if want := map[string]string{"GREETING": "hello", "ROLE": "web"}; !reflect.DeepEqual(env, want) {
		t.Errorf("web's env %v, want %v (env wins over env_file)", env, want)
	}
	for _, tc := range []struct {
		name    string
		envVar  string
		args    []string
		svcs    []string
		profile []string
	}{
		{"flag", "", []string{"--profile", "debug"}, []string{"web", "debug"}, []string{"debug"}},
		{"env", "debug", nil, []string{"web", "debug"}, []string{"debug"}},
		{"env list", " other , debug ", nil, []string{"web", "debug"}, []string{"debug", "other"}},
		{"flag wins", "debug", []string{"--profile", "other"}, []string{"web"}, []string{"other"}},
		{"flag repeated", "", []string{"--profile", "x", "--profile", "debug,y"}, []string{"web", "debug"}, []string{"debug", "x", "y"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.env = map[string]string{"DEVBOX_PROFILES": tc.envVar}
			svcs, _, act, _ := configOf(t, h, tc.args...)
			if !reflect.DeepEqual(svcs, tc.svcs) || !reflect.DeepEqual(act, tc.profile) {
				t.Errorf("services %v, active %v; want %v, %v", svcs, act, tc.svcs, tc.profile)
			}
		})
	}
}

// up without the profile leaves the debug service alone (Compose does not
// count it an orphan); with it, adds it and keeps the rest; destroy
// removes everything.
func TestProfileUpKeepsDisabledWithFake(t *testing.T) {
	h := newProfileHarness(t)
	if code, out, errs := h.run("up"); code != 0 || strings.Contains(out, "service/debug") {
		t.Fatalf("up: %d\n%s%s", code, out, errs)
	}
	web := h.fake.ID(engine.KindService, "web")
	if web == "" || h.fake.ID(engine.KindService, "debug") != "" {
		t.Fatalf("after up: web %q, debug %q", web, h.fake.ID(engine.KindService, "debug"))
	}
	if code, out, errs := h.run("--profile", "debug", "up"); code != 0 || !strings.Contains(out, "+ service/debug") {
		t.Fatalf("up --profile debug: %d\n%s%s", code, out, errs)
	}
	debug := h.fake.ID(engine.KindService, "debug")
	if debug == "" || h.fake.ID(engine.KindService, "web") != web {
		t.Fatalf("up --profile debug: debug %q, web %q (was %q)", debug, h.fake.ID(engine.KindService, "web"), web)
	}
	code, out, errs := h.run("up")
	if code != 0 || !strings.Contains(out, "nothing to do") || !strings.Contains(out, "= service/debug") ||
		!strings.Contains(out, "profile not active; kept") {
		t.Fatalf("up without the profile: %d\n%s%s", code, out, errs)
	}
	if h.fake.ID(engine.KindService, "debug") != debug {
		t.Fatal("up without the profile removed or replaced the debug service")
	}
	// Editing the env file replaces that service only.
	if err := os.WriteFile(filepath.Join(h.dir, "web.env"), []byte("GREETING=bye\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := h.run("up"); code != 0 || !strings.Contains(out, "~ service/web") {
		t.Fatalf("up after editing web.env: %d\n%s%s", code, out, errs)
	}
	if h.fake.ID(engine.KindService, "web") == web || h.fake.ID(engine.KindService, "debug") != debug {
		t.Error("editing web.env did not replace web only")
	}
	if code, out, errs := h.run("destroy"); code != 0 {
		t.Fatalf("destroy: %d\n%s%s", code, out, errs)
	}
	if h.fake.ID(engine.KindService, "debug") != "" || h.fake.ID(engine.KindService, "web") != "" {
		t.Error("destroy left services")
	}
}

// Verbs that act on what exists work when the env file is gone (a
// warning); up refuses, naming the file and where it is listed.
func TestProfileMissingEnvFile(t *testing.T) {
	h := newProfileHarness(t)
	if code, out, errs := h.run("up"); code != 0 {
		t.Fatalf("up: %d\n%s%s", code, out, errs)
	}
	if err := os.Remove(filepath.Join(h.dir, "web.env")); err != nil {
		t.Fatal(err)
	}
	code, _, errs := h.run("up")
	if code != ExitBadInput || !strings.Contains(errs, "devbox.hcl:6:15: Error: Env file not found") {
		t.Errorf("up without the env file: exit %d\n%s", code, errs)
	}
	for _, verb := range []string{"down", "destroy"} {
		if code, out, errs := h.run(verb); code != 0 || !strings.Contains(errs, "Warning: Env file not found") {
			t.Errorf("%s without the env file: exit %d\n%s%s", verb, code, out, errs)
		}
	}
}

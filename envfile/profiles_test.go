package envfile

import (
	"reflect"
	"strings"
	"testing"
)

const profilesHCL = `service "web" {
  command = ["web"]
}
service "debug" {
  command  = ["sleep", "infinity"]
  profiles = ["debug", "tools"]
}
service "ui" {
  command  = ["ui"]
  profiles = ["tools"]
}
`

func serviceNames(env *Environment) []string {
	out := []string{}
	for _, s := range env.Services {
		out = append(out, s.Name)
	}
	return out
}

// Compose's rule: no profiles, always enabled; with profiles, only when one
// is active ("*" is all); a service named in Enable activates its
// profiles, so the others of those profiles come too.
func TestProfilesEnable(t *testing.T) {
	for _, tc := range []struct {
		name             string
		opts             Options
		enabled, dis, ap []string
	}{
		{"none active", Options{}, []string{"web"}, []string{"debug", "ui"}, []string{}},
		{"debug", Options{ActiveProfiles: []string{"debug"}}, []string{"web", "debug"}, []string{"ui"}, []string{"debug"}},
		{"tools", Options{ActiveProfiles: []string{"tools"}}, []string{"web", "debug", "ui"}, []string{}, []string{"tools"}},
		{"all", Options{ActiveProfiles: []string{"*"}}, []string{"web", "debug", "ui"}, []string{}, []string{"*"}},
		{"unknown profile", Options{ActiveProfiles: []string{"nope"}}, []string{"web"}, []string{"debug", "ui"}, []string{"nope"}},
		{"enable ui", Options{Enable: []string{"ui"}}, []string{"web", "debug", "ui"}, []string{}, []string{"tools"}},
		{"enable web", Options{Enable: []string{"web"}}, []string{"web"}, []string{"debug", "ui"}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, files, diags := parseIn(t, profilesHCL, tc.opts)
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %s", render(files, diags))
			}
			if got := serviceNames(env); !reflect.DeepEqual(got, tc.enabled) {
				t.Errorf("Services = %v, want %v", got, tc.enabled)
			}
			if !reflect.DeepEqual(env.DisabledServices, tc.dis) {
				t.Errorf("DisabledServices = %v, want %v", env.DisabledServices, tc.dis)
			}
			if !reflect.DeepEqual(env.ActiveProfiles, tc.ap) {
				t.Errorf("ActiveProfiles = %v, want %v", env.ActiveProfiles, tc.ap)
			}
			if s := env.Service("debug"); s != nil && !reflect.DeepEqual(s.Profiles, []string{"debug", "tools"}) {
				t.Errorf("debug's Profiles = %v", s.Profiles)
			}
		})
	}
}

// lxc.profiles (Incus) and a service's profiles are separate: neither
// affects the other.
func TestProfilesNotIncusProfiles(t *testing.T) {
	src := lines(`lxc {`, `  profiles = ["debug"]`, `}`) + profilesHCL
	env, files, diags := parseIn(t, src, Options{})
	if diags.HasErrors() {
		t.Fatal(render(files, diags))
	}
	if env.Service("debug") != nil || !reflect.DeepEqual(env.LXC.Profiles, []string{"debug"}) {
		t.Errorf("services %v, lxc profiles %v", serviceNames(env), env.LXC.Profiles)
	}
}

// An enabled service that depends on a disabled one is an error at the
// depends_on element, naming the profile to activate; verbs that only act
// on what exists get a warning.
func TestProfilesDependsOnDisabled(t *testing.T) {
	src := profilesHCL + svc("app", `  depends_on = ["web", "ui"]`)
	_, files, diags := parseIn(t, src, Options{})
	out := render(files, diags)
	if !diags.HasErrors() || !strings.Contains(out, "file.hcl:14:24: Error: Dependency on a disabled service") ||
		!strings.Contains(out, `"app" depends on "ui", which is enabled only with profile "tools"`) ||
		!strings.Contains(out, "--profile tools (or DEVBOX_PROFILES=tools)") {
		t.Errorf("depends_on a disabled service:\n%s", out)
	}
	if env, files, diags := parseIn(t, src, Options{ActiveProfiles: []string{"tools"}}); len(diags) > 0 || env.Service("app") == nil {
		t.Errorf("with the profile active: %s", render(files, diags))
	}
	if env, files, diags := parseIn(t, src, Options{Enable: []string{"ui"}}); len(diags) > 0 || env.Service("app") == nil {
		t.Errorf("with ui enabled: %s", render(files, diags))
	}
	env, files, diags := parseIn(t, src, Options{Existing: true})
	if diags.HasErrors() || env == nil || !strings.Contains(render(files, diags), "Warning: Dependency on a disabled service") {
		t.Errorf("Existing: %s", render(files, diags))
	}
	// A disabled service may depend on anything.
	src = profilesHCL + svc("extra", `  profiles = ["x"]`, `  depends_on = ["ui"]`)
	if _, files, diags := parseIn(t, src, Options{}); len(diags) > 0 {
		t.Errorf("disabled depending on disabled: %s", render(files, diags))
	}
}

// The whole file is validated whatever is active: a disabled service's
// mistakes are errors too, and bad profile names and unknown Enable names
// are reported.
func TestProfilesValidation(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
		opts            Options
	}{
		{"disabled still checked", svc("a", `  profiles = ["p"]`, `  depends_on = ["nope"]`), "Unknown service in depends_on", Options{}},
		{"bad name", svc("a", `  profiles = ["-x"]`), `file.hcl:3:15: Error: Invalid profile name`, Options{}},
		{"not a list", svc("a", `  profiles = 3`), "Incorrect attribute value type", Options{}},
		{"enable unknown", svc("web"), `No service named "wbe" is declared`, Options{Enable: []string{"wbe"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, files, diags := parseIn(t, tc.src, tc.opts)
			if out := render(files, diags); !diags.HasErrors() || !strings.Contains(out, tc.want) {
				t.Errorf("want %q:\n%s", tc.want, out)
			}
		})
	}
}

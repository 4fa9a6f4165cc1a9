package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/backends/docker"
	"github.com/devbox-dev/devbox/backends/lxc"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/tools"
)

// outsideHCL mounts a directory outside the project (%s) and reads TOKEN.
const outsideHCL = `project = "trust"
backend = "docker"

mount "data" {
  source = %q
  target = "/data"
}

service "web" {
  command = ["web"]
  mounts  = ["data"]
  env     = { TOKEN = env("TOKEN") }
}
`

func outsideHarness(t *testing.T) (*harness, string) {
	t.Helper()
	data := t.TempDir()
	h := newHarness(t, strings.Replace(outsideHCL, "%q", `"`+data+`"`, 1))
	h.env = map[string]string{"HOME": filepath.Join(h.dir, "home"), "TOKEN": "s3cret"}
	return h, data
}

func writeAllowFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A mount outside the project fails validation, at the source, with the
// fix; the user allows it with --allow-mount or the allow-mounts file, and
// plan says so.
func TestMountOutsideProjectNeedsAllow(t *testing.T) {
	h, data := outsideHarness(t)
	allowFile := filepath.Join(h.dir, "home", ".config", "devbox", "allow-mounts")
	code, _, errs := h.run("validate")
	for _, want := range []string{"devbox.hcl:5:12: Error: Mount source outside the project", "resolves to " + data,
		"--allow-mount " + data, allowFile} {
		if code != ExitBadInput || !strings.Contains(errs, want) {
			t.Errorf("validate: exit %d, stderr lacks %q:\n%s", code, want, errs)
		}
	}
	if code, out, errs := h.run("--allow-mount", data, "validate"); code != ExitOK {
		t.Fatalf("validate --allow-mount: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs := h.run("--allow-mount", filepath.Dir(data), "plan")
	want := `mount "data": ` + data + " is outside the project " + h.dir + "; allowed by --allow-mount " + filepath.Dir(data) + "\n"
	if code != ExitOK || !strings.Contains(out, want) || !strings.Contains(out, "reads host variables: TOKEN\n") {
		t.Fatalf("plan: exit %d, want %q\n%s%s", code, want, out, errs)
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("plan shows a host variable's value:\n%s", out)
	}

	writeAllowFile(t, allowFile, "# data sets\n\n"+data+"\n")
	code, out, errs = h.run("plan")
	if want := "allowed by " + allowFile + ":3 (" + data + ")\n"; code != ExitOK || !strings.Contains(out, want) {
		t.Errorf("plan with the allow file: exit %d, want %q\n%s%s", code, want, out, errs)
	}
	// --json keeps stdout one document; the notes go to stderr.
	code, out, errs = h.run("--json", "plan")
	var v any
	if code != ExitOK || json.Unmarshal([]byte(out), &v) != nil || !strings.Contains(errs, "reads host variables: TOKEN") {
		t.Errorf("plan --json: exit %d\n%s\n%s", code, out, errs)
	}

	// XDG_CONFIG_HOME moves the file; a relative line is an error.
	h.env["XDG_CONFIG_HOME"] = filepath.Join(h.dir, "xdg")
	xdgFile := filepath.Join(h.dir, "xdg", "devbox", "allow-mounts")
	if code, _, errs := h.run("validate"); code != ExitBadInput || !strings.Contains(errs, xdgFile) {
		t.Errorf("XDG_CONFIG_HOME: exit %d\n%s", code, errs)
	}
	writeAllowFile(t, xdgFile, "data\n")
	if code, _, errs := h.run("validate"); code != ExitBadInput || !strings.Contains(errs, xdgFile+`:1: "data" is not an absolute path`) {
		t.Errorf("relative allow line: exit %d\n%s", code, errs)
	}
}

// config shows where values came from and which host variables the file
// read, by name.
func TestConfigShowsHostProvenance(t *testing.T) {
	h, data := outsideHarness(t)
	code, out, errs := h.run("--allow-mount", data, "config")
	if code != ExitOK {
		t.Fatalf("config: exit %d\n%s%s", code, out, errs)
	}
	var cfg struct {
		Sources []envfile.Source  `json:"sources"`
		HostEnv []string          `json:"host_env"`
		Outside []envfile.Outside `json:"outside"`
	}
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(h.dir, "devbox.hcl")
	if len(cfg.Sources) != 1 || cfg.Sources[0] != (envfile.Source{Path: "services.web.env.TOKEN", From: `env("TOKEN")`, At: file + ":12:23"}) {
		t.Errorf("sources = %+v", cfg.Sources)
	}
	if strings.Join(cfg.HostEnv, ",") != "TOKEN" {
		t.Errorf("host_env = %v", cfg.HostEnv)
	}
	if len(cfg.Outside) != 1 || cfg.Outside[0].Path != data || cfg.Outside[0].AllowedBy != "--allow-mount "+data {
		t.Errorf("outside = %+v", cfg.Outside)
	}
}

// A devbox.hcl linked to a file outside the project is refused unread.
func TestSymlinkedFileRefused(t *testing.T) {
	h := newHarness(t, "")
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("root:HASH:1:0:99999:7:::\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(h.dir, "devbox.hcl")
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, file); err != nil {
		t.Fatal(err)
	}
	code, _, errs := h.run("validate")
	if code != ExitBadInput || !strings.Contains(errs, "devbox.hcl is a symlink to "+secret+", outside "+h.dir+"; refusing to read it") ||
		strings.Contains(errs, "HASH") {
		t.Errorf("validate: exit %d\n%s", code, errs)
	}
}

// tools install refuses a shim that would shadow a command on PATH, unless
// --force; rewriting its own shim is fine.
func TestToolsInstallDoesNotShadow(t *testing.T) {
	h, _ := toolHarness(t)
	bin, sys := filepath.Join(t.TempDir(), "bin"), t.TempDir()
	if err := os.WriteFile(filepath.Join(sys, "report"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	h.env = map[string]string{"PATH": bin + string(os.PathListSeparator) + sys}
	code, out, errs := h.run("tools", "install", "--dir", bin)
	want := `a shim named "report" would shadow ` + filepath.Join(sys, "report") + " on your PATH"
	if code != ExitBadInput || !strings.Contains(errs, want) || !strings.Contains(errs, "--force") {
		t.Errorf("install: exit %d, want %q\n%s%s", code, want, out, errs)
	}
	shimDirHolds(t, bin, "sh32")
	if code, out, errs := h.run("tools", "install", "--dir", bin); code != ExitBadInput || !strings.Contains(out, "installed "+filepath.Join(bin, "sh32")) {
		t.Errorf("rewriting its own shim: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := h.run("tools", "install", "--dir", bin, "--force"); code != ExitOK {
		t.Errorf("install --force: exit %d\n%s%s", code, out, errs)
	}
	shimDirHolds(t, bin, "report", "sh32")
}

// envfile's engine-name limits mirror these derivations.
func TestEngineNameDerivations(t *testing.T) {
	if docker.ContainerName("p", "s") != "p-s" || docker.NetworkName("p", "n") != "p_n" || docker.DefaultNetwork != "default" {
		t.Errorf("docker names changed: update envfile/names.go")
	}
	if n := lxc.InstanceName(strings.Repeat("p", 63)); len(n) > 63 {
		t.Errorf("lxc instance name %q is over 63 characters", n)
	}
	if n := lxc.NetworkName(strings.Repeat("p", 63), strings.Repeat("n", 63)); len(n) > 15 {
		t.Errorf("lxc bridge name %q is over 15 characters", n)
	}
}

// A shim keeps the user's --allow-mount grants, made absolute, since the
// tool loads the same file from any directory.
func TestToolsInstallKeepsAllowMount(t *testing.T) {
	h, _ := toolHarness(t)
	bin := filepath.Join(t.TempDir(), "bin")
	if code, out, errs := h.run("--allow-mount", "data", "tools", "install", "--dir", bin, "report"); code != ExitOK {
		t.Fatalf("install: exit %d\n%s%s", code, out, errs)
	}
	s, ok := tools.ReadShim(filepath.Join(bin, "report"))
	if want := "--allow-mount " + filepath.Join(h.dir, "data"); !ok || strings.Join(s.Args, " ") != want {
		t.Errorf("shim args %q, want %q", s.Args, want)
	}
}

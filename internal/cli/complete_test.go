package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const completeHCL = `project = "prof-complete"

service "web" {
  command = ["web"]
}
service "db" {
  command = ["db"]
}
service "debug" {
  command  = ["sleep", "infinity"]
  profiles = ["debug"]
}
tool "report" {
  command = ["report"]
}
tool "lint" {
  command = ["lint"]
}
`

// complete runs cobra's hidden __complete through Main, as the shell
// scripts do, and returns the completions (before the :directive line)
// and stderr.
func complete(t *testing.T, h *harness, args ...string) ([]string, string) {
	t.Helper()
	code, out, errs := h.run(append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d\n%s%s", args, code, out, errs)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(l, ":") {
			break
		}
		got = append(got, l)
	}
	return got, errs
}

func TestCompleteNames(t *testing.T) {
	h := newHarness(t, completeHCL)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"logs", ""}, "db debug web"},
		{[]string{"logs", "web", ""}, "db debug"},
		{[]string{"logs", "-f", "d"}, "db debug"}, // -f after logs is --follow
		{[]string{"exec", ""}, "db debug web"},
		{[]string{"exec", "web", ""}, ""},
		{[]string{"shell", "w"}, "web"},
		{[]string{"run", ""}, "lint report"},
		{[]string{"run", "report", ""}, ""},
		{[]string{"tools", "install", "r"}, "report"},
		{[]string{"tools", "rm", "lint", ""}, "report"},
		{[]string{"tools", "uninstall", ""}, "lint report"},
		{[]string{"up", "w"}, "web"},
		{[]string{"plan", "web", ""}, "db debug"},
		{[]string{"stop", ""}, "db debug web"},
		{[]string{"start", "d"}, "db debug"},
		{[]string{"restart", "db", ""}, "debug web"},
	} {
		got, errs := complete(t, h, tc.args...)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("complete %q = %q, want %q\n%s", tc.args, got, tc.want, errs)
		}
	}
}

// -f and -C earlier on the line pick the file; an invalid or missing file
// completes nothing and prints no diagnostic.
func TestCompleteQuietAndFlags(t *testing.T) {
	h := newHarness(t, completeHCL)
	other := filepath.Join(h.dir, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(other, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("devbox.hcl", "service \"alpha\" {\n  command = [\"a\"]\n}\n")
	write("alt.hcl", "service \"beta\" {\n  command = [\"b\"]\n}\n")
	write("bad.hcl", "service \"gamma\" {\n  comand = [\"b\"]\n}\n")
	if got, _ := complete(t, h, "-C", other, "logs", ""); strings.Join(got, " ") != "alpha" {
		t.Errorf("-C other: %q", got)
	}
	if got, _ := complete(t, h, "-f", "other/alt.hcl", "logs", ""); strings.Join(got, " ") != "beta" {
		t.Errorf("-f other/alt.hcl: %q", got)
	}
	for _, f := range []string{"other/bad.hcl", "other/nope.hcl"} {
		got, errs := complete(t, h, "-f", f, "exec", "")
		if len(got) != 0 || strings.Contains(errs, "Error") || strings.Contains(errs, ".hcl") {
			t.Errorf("-f %s: completions %q, stderr:\n%s", f, got, errs)
		}
	}
}

package envfile

import (
	"fmt"
	"strings"
	"testing"
)

// TestCheckBackend: Parse takes any backend name; CheckBackend, given the
// registry's names, rejects the others where they were written.
func TestCheckBackend(t *testing.T) {
	names := []string{"lxc", "docker"}
	for _, tc := range []struct {
		name      string
		src       string
		opts      Options
		names     []string
		want      string // backend after Parse
		detail    string // "" wants no diagnostic
		line, col int    // the diagnostic's subject; 0 wants none
	}{
		{name: "default", src: svc("a"), want: "lxc"},
		{name: "file", src: lines(`backend = "docker"`) + svc("a"), want: "docker"},
		{name: "override", src: lines(`backend = "docker"`) + svc("a"), opts: Options{Backend: "lxc"}, want: "lxc"},
		{name: "from a variable", src: lines(`variable "be" { default = "docker" }`, `backend = var.be`) + svc("a"), want: "docker"},
		{name: "unknown in the file", src: lines(`project = "p"`, `backend = "podman"`) + svc("a"), want: "podman",
			detail: `Backend "podman" is not supported; use "lxc" or "docker".`, line: 2, col: 11},
		{name: "empty in the file", src: lines(`backend = ""`) + svc("a"), want: "",
			detail: `Backend "" is not supported`, line: 1, col: 11},
		{name: "unknown override", src: lines(`backend = "docker"`) + svc("a"), opts: Options{Backend: "podman"}, want: "podman",
			detail: `The backend override "podman" is not supported; use "lxc" or "docker".`},
		{name: "default not registered", src: svc("a"), names: []string{"fake", "other", "third"}, want: "lxc",
			detail: `The default backend "lxc" is not available; set backend, "fake", "other" or "third".`},
		{name: "registered elsewhere", src: lines(`backend = "fake"`) + svc("a"), names: []string{"fake"}, want: "fake"},
		{name: "no backends", src: svc("a"), names: []string{}, want: "lxc", detail: "this devbox has no backends"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, files, diags := parseIn(t, tc.src, tc.opts)
			if diags.HasErrors() {
				t.Fatalf("Parse: %s", render(files, diags))
			}
			if env.Backend != tc.want {
				t.Errorf("Backend = %q, want %q", env.Backend, tc.want)
			}
			n := names
			if tc.names != nil {
				n = tc.names
			}
			diags = CheckBackend(env, files, tc.opts, n)
			if tc.detail == "" {
				if len(diags) > 0 {
					t.Fatalf("CheckBackend: %s", render(files, diags))
				}
				return
			}
			if len(diags) != 1 || !diags.HasErrors() || diags[0].Summary != "Invalid backend" || !strings.Contains(diags[0].Detail, tc.detail) {
				t.Fatalf("CheckBackend = %v, want one Invalid backend error with %q", diags, tc.detail)
			}
			subj := diags[0].Subject
			switch {
			case tc.line == 0 && subj != nil:
				t.Errorf("subject %v, want none (not from the file)", subj)
			case tc.line != 0 && (subj == nil || subj.Filename != "file.hcl" || subj.Start.Line != tc.line || subj.Start.Column != tc.col):
				t.Errorf("subject %v, want file.hcl:%d,%d", subj, tc.line, tc.col)
			case tc.line != 0:
				if out := render(files, diags); !strings.Contains(out, fmt.Sprintf("file.hcl:%d:%d: ", tc.line, tc.col)) || !strings.Contains(out, "^") {
					t.Errorf("rendered without file:line:col and caret:\n%s", out)
				}
			}
		})
	}
}

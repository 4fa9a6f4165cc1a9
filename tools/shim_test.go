package tools

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestShimRoundTrip(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "my project", "devbox.hcl")
	args := []string{"--backend", "docker", "--var", "msg=it's here"}
	path, err := InstallShim(filepath.Join(dir, "bin"), "report", file, "/usr/local/bin/devbox", args)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := ReadShim(path)
	if !ok {
		t.Fatal("ReadShim does not recognise its own shim")
	}
	want := Shim{Tool: "report", File: file, Path: path, Args: args}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("ReadShim = %+v, want %+v", s, want)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o755 {
		t.Errorf("mode %v", st.Mode())
	}
	if !s.Moved() {
		t.Error("Moved() false for a missing file")
	}
}

// TestShimRuns runs shims with sh: they exec devbox with the file, the
// kept flags and the arguments, and say so when the file has moved.
func TestShimRuns(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "devbox.hcl")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// A fake devbox that prints its arguments, one per line.
	fake := filepath.Join(dir, "fake-devbox")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path, err := InstallShim(filepath.Join(dir, "bin"), "report", file, fake, []string{"--var", "x=a b"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, "--help", "two words").CombinedOutput()
	if err != nil {
		t.Fatalf("shim: %v\n%s", err, out)
	}
	want := "[-f]\n[" + file + "]\n[--var]\n[x=a b]\n[run]\n[report]\n[--help]\n[two words]\n"
	if string(out) != want {
		t.Errorf("shim ran devbox with\n%s\nwant\n%s", out, want)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path)
	out, err = cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 127 {
		t.Fatalf("shim with its file gone: %v, want exit 127", err)
	}
	wantMsg := "devbox: shim report: " + file + " has moved or been deleted; rerun devbox tools install\n"
	if string(out) != wantMsg {
		t.Errorf("message %q, want %q", out, wantMsg)
	}
}

func TestShimNeverReplacesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "report")
	if err := os.WriteFile(mine, []byte("#!/bin/sh\necho mine\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := InstallShim(dir, "report", "/x/devbox.hcl", "devbox", nil); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("InstallShim over a user's file: %v", err)
	}
	if err := RemoveShim(mine); err == nil {
		t.Fatal("RemoveShim removed a user's file")
	}
	if b, _ := os.ReadFile(mine); string(b) != "#!/bin/sh\necho mine\n" {
		t.Fatalf("user's file changed: %q", b)
	}
	// An earlier shim is replaced.
	if _, err := InstallShim(dir, "other", "/x/devbox.hcl", "devbox", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := InstallShim(dir, "other", "/y/devbox.hcl", "devbox", nil); err != nil {
		t.Fatal(err)
	}
	shims, err := ListShims(dir)
	if err != nil || len(shims) != 1 || shims[0].File != "/y/devbox.hcl" {
		t.Fatalf("ListShims = %+v, %v", shims, err)
	}
	if err := RemoveShim(shims[0].Path); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
	if s, err := ListShims(filepath.Join(dir, "missing")); err != nil || s != nil {
		t.Errorf("ListShims(missing dir) = %v, %v", s, err)
	}
}

func TestOnPathAndDefaultDir(t *testing.T) {
	if !OnPath("/home/u/.local/bin", "/usr/bin:/home/u/.local/bin/") || OnPath("/x", "/usr/bin::") {
		t.Error("OnPath")
	}
	d, err := DefaultDir(func(k string) string { return map[string]string{"HOME": "/home/u"}[k] })
	if err != nil || d != "/home/u/.local/bin" {
		t.Errorf("DefaultDir = %q, %v", d, err)
	}
}

func TestShellSplit(t *testing.T) {
	for _, args := range [][]string{{"a"}, {"it's", "x y", ""}, {"$HOME", "a\"b", `back\slash`}} {
		q := make([]string, len(args))
		for i, a := range args {
			q[i] = shellQuote(a)
		}
		if got := shellSplit(strings.Join(q, " ")); !reflect.DeepEqual(got, args) {
			t.Errorf("shellSplit(%q) = %q, want %q", strings.Join(q, " "), got, args)
		}
	}
}

// Shadowed finds an executable of the tool's name elsewhere on PATH, but
// not in the shim directory itself, not a non-executable file or a
// directory, and not another devbox shim.
func TestShadowed(t *testing.T) {
	root := t.TempDir()
	dir, sys, other := filepath.Join(root, "bin"), filepath.Join(root, "sys"), filepath.Join(root, "other")
	for _, d := range []string{dir, sys, other, filepath.Join(other, "lsdir")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path string, mode os.FileMode) {
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(sys, "ls"), 0o755)
	write(filepath.Join(sys, "notes"), 0o644)
	write(filepath.Join(dir, "mine"), 0o755)
	if err := os.Symlink(filepath.Join(sys, "ls"), filepath.Join(other, "sudo")); err != nil {
		t.Fatal(err)
	}
	if _, err := InstallShim(other, "report", "/p/devbox.hcl", "devbox", nil); err != nil {
		t.Fatal(err)
	}
	path := strings.Join([]string{dir, "", "relative", other, sys}, string(os.PathListSeparator))
	for tool, want := range map[string]string{
		"ls":     filepath.Join(sys, "ls"),
		"sudo":   filepath.Join(other, "sudo"), // a symlink to an executable
		"notes":  "",                           // not executable
		"mine":   "",                           // in the shim directory: InstallShim's own check
		"report": "",                           // a devbox shim
		"lsdir":  "",
		"nope":   "",
	} {
		if got := Shadowed(dir, tool, path); got != want {
			t.Errorf("Shadowed(%s) = %q, want %q", tool, got, want)
		}
	}
}

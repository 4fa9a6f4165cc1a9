package engine

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSafeEntry(t *testing.T) {
	cases := []struct{ name, want, err string }{
		{"src", "dst", ""},
		{"src/", "dst", ""},
		{"src/a/b", "dst/a/b", ""},
		{"./src/a", "dst/a", ""},
		{"/etc/passwd", "", "absolute"},
		{"src/../../x", "", `".."`},
		{"../src", "", `".."`},
		{"srcx/a", "", "not under"},
		{"other", "", "not under"},
		{"", "", "empty"},
	}
	for _, c := range cases {
		got, err := SafeEntry(c.name, "src", "dst")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("SafeEntry(%q) = %q, %v; want an error with %q", c.name, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("SafeEntry(%q) = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestCopyDest(t *testing.T) {
	cases := []struct {
		dst                     string
		exists, isDir, srcIsDir bool
		parent, name, err       string
	}{
		{dst: "/srv", exists: true, isDir: true, parent: "/srv", name: "site"},        // into the directory
		{dst: "/srv/new", parent: "/srv", name: "new"},                                // created as dst
		{dst: "/srv/new/", err: "does not exist"},                                     // a directory that must exist
		{dst: "/srv/f", exists: true, parent: "/srv", name: "f"},                      // file over file
		{dst: "/srv/f", exists: true, srcIsDir: true, err: "directory onto the file"}, // dir over file
		{dst: "/srv/d/", exists: true, isDir: true, parent: "/srv/d", name: "site"},
	}
	for _, c := range cases {
		parent, name, err := CopyDest("site", c.dst, c.exists, c.isDir, c.srcIsDir)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("CopyDest(%q) = %q %q %v; want error %q", c.dst, parent, name, err, c.err)
			}
			continue
		}
		if err != nil || parent != c.parent || name != c.name {
			t.Errorf("CopyDest(%q) = %q %q %v; want %q %q", c.dst, parent, name, err, c.parent, c.name)
		}
	}
}

func TestContainerPath(t *testing.T) {
	for in, want := range map[string]string{"etc/x": "/etc/x", "/a/../b": "/b", "": "/", "../..": "/"} {
		if got := ContainerPath(in); got != want {
			t.Errorf("ContainerPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTarRoundTrip: a directory written by WriteTar and unpacked by
// ExtractTar under another name has the same files, modes and links.
func TestTarRoundTrip(t *testing.T) {
	src := filepath.Join(t.TempDir(), "site")
	write(t, filepath.Join(src, "index.html"), "hello", 0o644)
	write(t, filepath.Join(src, "bin", "run"), "#!/bin/sh", 0o750)
	write(t, filepath.Join(src, "secret"), "s", 0o600)
	if err := os.Symlink("index.html", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(src, "bin"), 0o711); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteTar(&buf, src, "site"); err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	if err := ExtractTar(&buf, dst, "site", "copy"); err != nil {
		t.Fatal(err)
	}
	for rel, mode := range map[string]fs.FileMode{"index.html": 0o644, "bin/run": 0o750, "secret": 0o600, "bin": fs.ModeDir | 0o711} {
		a, _ := os.Lstat(filepath.Join(src, rel))
		b, err := os.Lstat(filepath.Join(dst, "copy", rel))
		if err != nil || b.Mode() != mode || a.Mode() != b.Mode() || (!a.IsDir() && a.Size() != b.Size()) {
			t.Errorf("%s: copied %v (%v), want mode %v like the source", rel, b, err, mode)
		}
	}
	if l, err := os.Readlink(filepath.Join(dst, "copy", "link")); err != nil || l != "index.html" {
		t.Errorf("link: %q %v, want a symlink to index.html", l, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "copy", "bin", "run")); string(b) != "#!/bin/sh" {
		t.Errorf("bin/run content %q", b)
	}
}

// TestExtractTarStaysInside: entries that climb out, and symbolic links
// (in the archive or already there) that point out, write nothing outside.
func TestExtractTarStaysInside(t *testing.T) {
	outside := t.TempDir()
	cases := map[string][]tar.Header{
		"dotdot":   {{Name: "x/../../escape", Typeflag: tar.TypeReg, Mode: 0o644}},
		"absolute": {{Name: "/escape", Typeflag: tar.TypeReg, Mode: 0o644}},
		"symlink then file through it": {
			{Name: "x/", Typeflag: tar.TypeDir, Mode: 0o755},
			{Name: "x/out", Typeflag: tar.TypeSymlink, Linkname: outside},
			{Name: "x/out/escape", Typeflag: tar.TypeReg, Mode: 0o644},
		},
		"absolute symlink replaced by a file": {
			{Name: "x", Typeflag: tar.TypeSymlink, Linkname: filepath.Join(outside, "escape")},
		},
	}
	for name, hdrs := range cases {
		dst := t.TempDir()
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, h := range hdrs {
			if err := tw.WriteHeader(&h); err != nil {
				t.Fatal(err)
			}
		}
		tw.Close()
		err := ExtractTar(&buf, dst, "x", "x")
		if _, serr := os.Lstat(filepath.Join(outside, "escape")); serr == nil {
			t.Errorf("%s: wrote outside the destination (err %v)", name, err)
		}
		if name != "absolute symlink replaced by a file" && err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A link already in the destination is not written through.
	dst := t.TempDir()
	if err := os.Symlink(filepath.Join(outside, "escape"), filepath.Join(dst, "f")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "f", Typeflag: tar.TypeReg, Mode: 0o644, Size: 2})
	tw.Write([]byte("hi"))
	tw.Close()
	if err := ExtractTar(&buf, dst, "f", "f"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(outside, "escape")); err == nil {
		t.Error("wrote through a symlink already in the destination")
	}
	if b, err := os.ReadFile(filepath.Join(dst, "f")); err != nil || string(b) != "hi" {
		t.Errorf("f = %q %v, want the file replacing the link", b, err)
	}
}

func TestProjectState(t *testing.T) {
	for _, c := range []struct {
		running, total int
		want           string
	}{{3, 3, ProjectRunning}, {0, 3, ProjectStopped}, {1, 3, ProjectPartial}, {0, 0, ProjectStopped}} {
		if got := ProjectState(c.running, c.total); got != c.want {
			t.Errorf("ProjectState(%d, %d) = %q, want %q", c.running, c.total, got, c.want)
		}
	}
}

func write(t *testing.T, p, content string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

// TestExtractTarHardLink: a hard link in the archive becomes a second
// name of the file unpacked before it; one to outside is refused.
func TestExtractTarHardLink(t *testing.T) {
	archive := func(hdrs ...tar.Header) *bytes.Buffer {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, h := range hdrs {
			if err := tw.WriteHeader(&h); err != nil {
				t.Fatal(err)
			}
			if h.Size > 0 {
				tw.Write([]byte(strings.Repeat("x", int(h.Size))))
			}
		}
		tw.Close()
		return &buf
	}
	dst := t.TempDir()
	err := ExtractTar(archive(
		tar.Header{Name: "d/", Typeflag: tar.TypeDir, Mode: 0o755},
		tar.Header{Name: "d/a", Typeflag: tar.TypeReg, Mode: 0o644, Size: 3},
		tar.Header{Name: "d/b", Typeflag: tar.TypeLink, Linkname: "d/a"},
	), dst, "d", "e")
	if b, rerr := os.ReadFile(filepath.Join(dst, "e", "b")); err != nil || string(b) != "xxx" {
		t.Errorf("hard link: %q %v %v, want the content of a", b, err, rerr)
	}
	err = ExtractTar(archive(tar.Header{Name: "d", Typeflag: tar.TypeLink, Linkname: "/etc/passwd"}), t.TempDir(), "d", "d")
	if err == nil {
		t.Error("a hard link to /etc/passwd was accepted")
	}
}

package tools

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ShimMarker starts the second line of every shim devbox writes; only
// files with it are listed, replaced or removed.
const ShimMarker = "# devbox-shim v1"

// Shim is one installed shim.
type Shim struct {
	Tool string   `json:"tool"`
	File string   `json:"file"` // the devbox.hcl it runs the tool from
	Path string   `json:"path"` // the shim itself
	Args []string `json:"args,omitempty"`
}

// Moved reports whether the shim's devbox.hcl is gone.
func (s Shim) Moved() bool {
	_, err := os.Stat(s.File)
	return err != nil
}

// RenderShim is the shim for tool in file: a small sh script that runs
// `devbox -f FILE [ARGS] run TOOL "$@"` with the devbox binary bin (or
// devbox on PATH when bin is gone), and says so, exiting 127, when FILE
// has moved. args are global flags to keep (--backend, --var).
func RenderShim(tool, file, bin string, args []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "#!/bin/sh\n%s tool=%s file=%s\n", ShimMarker, tool, file)
	b.WriteString("# Written by `devbox tools install`; `devbox tools uninstall` removes it.\n")
	fmt.Fprintf(&b, "f=%s\n", shellQuote(file))
	b.WriteString("if [ ! -f \"$f\" ]; then\n")
	fmt.Fprintf(&b, "  echo \"devbox: shim %s: $f has moved or been deleted; rerun devbox tools install\" >&2\n", tool)
	b.WriteString("  exit 127\nfi\n")
	fmt.Fprintf(&b, "d=%s\n[ -x \"$d\" ] || d=devbox\n", shellQuote(bin))
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	extra := ""
	if len(q) > 0 {
		extra = strings.Join(q, " ") + " "
	}
	fmt.Fprintf(&b, "exec \"$d\" -f \"$f\" %srun %s \"$@\"\n", extra, tool)
	return b.Bytes()
}

// ReadShim reads path as a shim; ok is false for files devbox did not write.
func ReadShim(path string) (Shim, bool) {
	f, err := os.Open(path)
	if err != nil {
		return Shim{}, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), 64<<10)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "#!") || !sc.Scan() {
		return Shim{}, false
	}
	rest, ok := strings.CutPrefix(sc.Text(), ShimMarker+" tool=")
	if !ok {
		return Shim{}, false
	}
	tool, file, ok := strings.Cut(rest, " file=")
	if !ok || tool == "" || file == "" {
		return Shim{}, false
	}
	s := Shim{Tool: tool, File: file, Path: path}
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), `exec "$d" -f "$f" `); ok {
			s.Args = shellSplit(strings.TrimSuffix(line, " run "+tool+` "$@"`))
		}
	}
	return s, true
}

// ListShims lists the shims devbox wrote in dir, by tool name.
func ListShims(dir string) ([]Shim, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []Shim
	for _, e := range ents {
		if e.Type().IsRegular() {
			if s, ok := ReadShim(filepath.Join(dir, e.Name())); ok {
				out = append(out, s)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tool < out[j].Tool })
	return out, nil
}

// ErrNotOurs is returned by InstallShim when a file devbox did not write is
// in the way.
var ErrNotOurs = errors.New("exists and was not written by devbox")

// InstallShim writes the shim for tool into dir (created if missing),
// replacing an earlier devbox shim of that name but never another file.
func InstallShim(dir, tool, file, bin string, args []string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, tool)
	if _, err := os.Lstat(path); err == nil {
		if _, ours := ReadShim(path); !ours {
			return "", fmt.Errorf("%s %w; remove it or install into another directory (--dir)", path, ErrNotOurs)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+tool+".devbox-tmp*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(RenderShim(tool, file, bin, args)); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

// Shadowed returns the command a shim named tool in dir would shadow: the
// first executable of that name in another directory of the PATH list
// path, or "" for none. A tool's name comes from devbox.hcl, which may be
// someone else's, so a shim named sudo or ls would capture what the user
// types; it is refused wherever dir sits on PATH, since PATH order changes.
// Devbox shims are not commands: rewriting one is fine.
func Shadowed(dir, tool, path string) string {
	for _, d := range filepath.SplitList(path) {
		if d == "" || !filepath.IsAbs(d) || filepath.Clean(d) == filepath.Clean(dir) {
			continue
		}
		p := filepath.Join(d, tool)
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
			continue
		}
		if _, ours := ReadShim(p); ours {
			continue
		}
		return p
	}
	return ""
}

// RemoveShim deletes path if it is a devbox shim.
func RemoveShim(path string) error {
	if _, ok := ReadShim(path); !ok {
		return fmt.Errorf("%s was not written by devbox; left alone", path)
	}
	return os.Remove(path)
}

// DefaultDir is where shims go by default: ~/.local/bin.
func DefaultDir(getenv func(string) string) (string, error) {
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home directory for ~/.local/bin: %w; pass --dir DIR", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "bin"), nil
}

// OnPath reports whether dir is on the PATH list path.
func OnPath(dir, path string) bool {
	for _, p := range filepath.SplitList(path) {
		if p != "" && filepath.Clean(p) == filepath.Clean(dir) {
			return true
		}
	}
	return false
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-=+:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellSplit undoes shellQuote for a space-separated list.
func shellSplit(s string) []string {
	var out []string
	var cur strings.Builder
	in, any := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			in, any = !in, true
		case c == '\\' && !in && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == ' ' && !in:
			if any || cur.Len() > 0 {
				out = append(out, cur.String())
			}
			cur.Reset()
			any = false
		default:
			cur.WriteByte(c)
		}
	}
	if any || cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

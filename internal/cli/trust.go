package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/devbox-dev/devbox/envfile"
)

// allowFile is the per-user list of host paths outside a project that a
// devbox.hcl may mount or read: $XDG_CONFIG_HOME/devbox/allow-mounts, by
// default ~/.config/devbox/allow-mounts. "" when neither is set.
func (a *App) allowFile() string {
	if x := a.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "devbox", "allow-mounts")
	}
	if h := a.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "devbox", "allow-mounts")
	}
	return ""
}

// allowed collects what the user running devbox allows beyond the
// project directory: --allow-mount flags (relative to -C, like other
// paths) and the lines of the allow-mounts file. The file being loaded
// cannot add to either.
func (a *App) allowed() ([]envfile.Allowed, error) {
	var out []envfile.Allowed
	for _, p := range a.allowMounts {
		abs, err := a.allowPath(p)
		if err != nil {
			return nil, err
		}
		out = append(out, envfile.Allowed{Path: abs, By: "--allow-mount " + p})
	}
	file := a.allowFile()
	if file == "" {
		return out, nil
	}
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	} else if err != nil {
		return nil, fmt.Errorf("read the allow list: %w", err)
	}
	defer f.Close()
	fromFile, err := parseAllowList(file, f)
	if err != nil {
		return nil, badInput(err)
	}
	return append(out, fromFile...), nil
}

// allowPath makes an --allow-mount path absolute, relative to -C.
func (a *App) allowPath(p string) (string, error) {
	if p == "" {
		return "", badInput(errors.New("--allow-mount needs a path"))
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	base := a.dir
	if base == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("--allow-mount %s: %w", p, err)
		}
		base = wd
	}
	abs, err := filepath.Abs(filepath.Join(base, p))
	if err != nil {
		return "", fmt.Errorf("--allow-mount %s: %w", p, err)
	}
	return abs, nil
}

// parseAllowList reads one absolute path a line; blank lines and lines
// starting with # are skipped.
func parseAllowList(name string, r io.Reader) ([]envfile.Allowed, error) {
	var out []envfile.Allowed
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !filepath.IsAbs(line) {
			return nil, fmt.Errorf("%s:%d: %q is not an absolute path; write one absolute path a line", name, n, line)
		}
		out = append(out, envfile.Allowed{Path: filepath.Clean(line), By: fmt.Sprintf("%s:%d (%s)", name, n, line)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}

// writeHostAccess says what the file reaches on the host beyond its own
// directory: a line per mount or file() read outside the project and what
// allowed it, and the host variables env() read (names, never values).
func writeHostAccess(w io.Writer, env *envfile.Environment) error {
	var b strings.Builder
	for _, o := range env.Outside {
		what := fmt.Sprintf("mount %q: %s", o.Name, o.Path)
		if o.Kind == "file" {
			what = fmt.Sprintf("file(%q): %s", o.Name, o.Path)
		}
		fmt.Fprintf(&b, "%s is outside the project %s; allowed by %s\n", what, env.Dir, o.AllowedBy)
	}
	if len(env.HostEnv) > 0 {
		fmt.Fprintf(&b, "reads host variables: %s\n", strings.Join(env.HostEnv, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

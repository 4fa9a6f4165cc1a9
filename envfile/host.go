package envfile

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Allowed is a host path outside the project directory that mount sources,
// file() and a symlinked devbox.hcl may reach: the path and everything
// under it. Only the person running devbox grants it (--allow-mount, the
// allow-mounts file); nothing in devbox.hcl can, because the file may come
// from someone else's repository.
type Allowed struct {
	Path string // absolute
	By   string // what granted it, shown by plan: "--allow-mount /srv"
}

// Source records a value that came from the host: the expression at At,
// evaluated for the configuration path Path, called From.
type Source struct {
	Path string `json:"path"` // e.g. services.web.env.TOKEN
	From string `json:"from"` // env("TOKEN") or file("app.py"); never a value
	At   string `json:"at"`   // file:line:col of the expression
}

// Outside is a host path outside the project directory that the file
// uses, and the grant that allowed it.
type Outside struct {
	Kind      string `json:"kind"` // "mount" or "file"
	Name      string `json:"name"` // the mount's name, or file()'s argument
	Path      string `json:"path"` // resolved, symlinks evaluated
	AllowedBy string `json:"allowed_by"`
}

// hostUse confines what the file reaches on the host and records what it
// read, for config and plan. The env() and file() functions share it with
// the decoder, which sets the path being evaluated.
type hostUse struct {
	dir       string    // the project directory, symlinks evaluated
	allow     []Allowed // paths resolved
	allowFile string    // named in fixes; "" when there is none

	path string    // configuration path being evaluated
	rng  hcl.Range // its expression

	sources []Source
	seen    map[Source]bool
	envVars map[string]bool
	outside []Outside
}

func newHostUse(dir string, opts Options) *hostUse {
	u := &hostUse{dir: realPath(dir), allowFile: opts.AllowFile, seen: map[Source]bool{}, envVars: map[string]bool{}}
	for _, a := range opts.Allow {
		u.allow = append(u.allow, Allowed{Path: realPath(a.Path), By: a.By})
	}
	return u
}

// realPath is p with symlinks evaluated, or cleaned when it cannot be
// (an allowed path that does not exist yet still allows what is under it).
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// within reports whether path is dir or under it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// confine says whether the resolved path real may be used: inside the
// project (by is ""), or under an allowed path (by names the grant).
func (u *hostUse) confine(real string) (by string, ok bool) {
	if within(real, u.dir) {
		return "", true
	}
	for _, a := range u.allow {
		if within(real, a.Path) {
			return a.By, true
		}
	}
	return "", false
}

// fix tells the user how to allow real.
func (u *hostUse) fix(real string) string {
	if u.allowFile == "" {
		return fmt.Sprintf("if you trust this file, run devbox with --allow-mount %s", real)
	}
	return fmt.Sprintf("if you trust this file, run devbox with --allow-mount %s, or add that path on a line of its own to %s",
		real, u.allowFile)
}

// record notes that the expression being evaluated called from.
func (u *hostUse) record(from string) {
	s := Source{Path: u.path, From: from, At: fmt.Sprintf("%s:%d:%d", u.rng.Filename, u.rng.Start.Line, u.rng.Start.Column)}
	if !u.seen[s] {
		u.seen[s] = true
		u.sources = append(u.sources, s)
	}
}

// addOutside records o once: file() of one path may be called many times.
func (u *hostUse) addOutside(o Outside) {
	for _, x := range u.outside {
		if x == o {
			return
		}
	}
	u.outside = append(u.outside, o)
}

// fill copies what was recorded into env, as empty lists rather than nil
// so JSON shows [].
func (u *hostUse) fill(env *Environment) {
	env.Sources = append([]Source{}, u.sources...)
	env.HostEnv = []string{}
	for n := range u.envVars {
		env.HostEnv = append(env.HostEnv, n)
	}
	sort.Strings(env.HostEnv)
	env.Outside = append([]Outside{}, u.outside...)
}

// mountSource resolves a mount's source s (relative to the project
// directory) and checks that it exists and is confined; rng is the source
// expression. It returns the resolved path, which is what gets mounted,
// so the engine mounts exactly what was checked.
func (p *parser) mountSource(name, s string, rng hcl.Range) string {
	src := s
	if !filepath.IsAbs(src) {
		src = filepath.Join(p.env.Dir, src)
	}
	src = filepath.Clean(src)
	if _, err := os.Stat(src); err != nil {
		switch {
		case os.IsNotExist(err) && p.opts.Existing:
			p.warnf(rng, "Mount source not found", "%s does not exist; ignored, since this command mounts nothing. `devbox up` needs it: create it, or fix source.", src)
		case os.IsNotExist(err):
			p.errorf(rng, "Mount source not found", "%s does not exist (source %q is relative to %s). Create it, or fix source.", src, s, p.env.Dir)
		default:
			p.errorf(rng, "Mount source not accessible", "%s cannot be used: %s. Fix its permissions, or fix source.", src, err)
		}
		return src
	}
	real, err := filepath.EvalSymlinks(src)
	if err != nil {
		p.errorf(rng, "Mount source not accessible", "%s cannot be resolved: %s. Fix its permissions, or fix source.", src, err)
		return src
	}
	by, ok := p.use.confine(real)
	if !ok {
		p.errorf(rng, "Mount source outside the project",
			"source %q resolves to %s, which is outside the project directory %s. A devbox.hcl mounts only its own project's "+
				"files (read-write unless read_only), because it may come from someone else's repository; %s.",
			s, real, p.use.dir, p.use.fix(real))
		return real
	}
	if by != "" {
		p.use.addOutside(Outside{Kind: "mount", Name: name, Path: real, AllowedBy: by})
	}
	return real
}

// checkFileLink refuses a devbox.hcl that is a symlink to a file outside
// its directory and the allowed paths: its lines would be echoed in
// diagnostics (a link to /etc/shadow). It returns the path to read, the
// link's target, so what is read is what was checked.
func checkFileLink(path string, opts Options) (string, error) {
	st, err := os.Lstat(path)
	if err != nil || st.Mode()&os.ModeSymlink == 0 {
		return path, nil // a missing file is reported by the read
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("%s is a symlink that cannot be resolved: %w", path, err)
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", path, err)
	}
	u := newHostUse(dir, opts)
	if _, ok := u.confine(target); !ok {
		return "", fmt.Errorf("%s is a symlink to %s, outside %s; refusing to read it. "+
			"Pass -f %s to use that file from its own directory, or %s",
			filepath.Base(path), target, u.dir, target, u.fix(target))
	}
	return target, nil
}

package tools

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/images"
	"github.com/devbox-dev/devbox/platform"
)

// Kind is the kind label of tool containers and instances.
const Kind = "tool"

// Name is the container (docker) or instance (lxc) of a project's tool for
// one user: devbox-tool-<project>-<tool>-u<uid>, shortened with a hash to
// fit a 63-character hostname. Distinct users get distinct containers,
// since each is set up for its user.
func Name(project, tool string, uid int) string {
	n := fmt.Sprintf("devbox-tool-%s-%s-u%d", project, tool, uid)
	if len(n) > 63 {
		n = n[:50] + "-" + engine.Hash(project, tool, uid)[:12]
	}
	return strings.TrimRight(n, "-")
}

// Hash is the tool's config hash on top of a resolved base image: a
// change to the image, platform, packages or provision steps makes a new
// container. env and pass_env are applied per call and are not in it.
func Hash(t *envfile.Tool, baseID string) string {
	return engine.Hash("tool-v1", baseID, t.Platform, t.Packages, t.Provision)
}

// Service is the tool as a service with its packages and provision steps,
// for the backends' cached image builds.
func Service(t *envfile.Tool) *envfile.Service {
	return &envfile.Service{Name: t.Name, Packages: t.Packages, Provision: t.Provision}
}

// ArchOf returns the architecture of a platform ("" for none: any).
func ArchOf(p string) (platform.Arch, bool) {
	if p == "" {
		return platform.Arch{}, true
	}
	return platform.Lookup(p)
}

// DockerCandidates lists the local Docker images that may serve image for
// platform, best first: the per-architecture tag (debian:12-i386, as
// .ci/images-i386 imports it), the official per-architecture repository
// (i386/debian:12), then the name itself. The caller checks each one's
// architecture. Without a platform it is just the name.
func DockerCandidates(image, platform string) []string {
	ref := images.Docker(image)
	a, ok := ArchOf(platform)
	if platform == "" || !ok {
		return []string{ref}
	}
	repo, tag := ref, "latest"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo, tag = ref[:i], ref[i+1:]
	}
	out := []string{repo + ":" + tag + "-" + a.Debian}
	if !strings.Contains(repo, "/") {
		out = append(out, a.Repo+"/"+repo+":"+tag)
	}
	return append(out, ref)
}

// IncusCandidates lists the Incus image names that may serve image for
// platform, best first: the per-architecture alias (debian/12/i386, the
// images: remote's convention), then the name itself. The caller checks
// each one's architecture.
func IncusCandidates(image, platform string) []string {
	a, ok := ArchOf(platform)
	if platform == "" || !ok {
		return []string{image}
	}
	remote, alias := images.Incus(image)
	prefix := ""
	if remote != "" {
		prefix = remote + ":"
	}
	if strings.HasSuffix(alias, "/"+a.Debian) {
		return []string{image}
	}
	return []string{prefix + alias + "/" + a.Debian, image}
}

// NoImageError says that no image serves a platform, and how a user gets
// one on that engine: pulled from a registry, or a local image of that
// architecture named as devbox looks for it (tried[0]).
func NoImageError(engineName, image, platform string, tried []string, cause error) error {
	msg := fmt.Sprintf("%s: no %s image for %q: tried %s", engineName, platform, image, strings.Join(tried, ", "))
	if cause != nil {
		msg += ": " + cause.Error()
	}
	switch engineName {
	case "docker":
		msg += fmt.Sprintf("; get one with: docker pull --platform %s %s, or tag a local %s image as %s",
			platform, images.Docker(image), platform, tried[0])
	case "lxc":
		_, alias := images.Incus(tried[0])
		msg += fmt.Sprintf("; get one with: incus image copy %s:%s local: --alias %s", images.DefaultRemote, alias, alias)
	}
	return fmt.Errorf("%s", msg)
}

// Environ is what a tool's program sees on top of the image's environment:
// the tool's env, then the pass_env variables that are set on the host
// (lookup is os.LookupEnv or a test's), then TERM for a TTY.
func Environ(t *envfile.Tool, lookup func(string) (string, bool), tty bool) map[string]string {
	out := map[string]string{}
	for k, v := range t.Env {
		out[k] = v
	}
	for _, k := range t.PassEnv {
		if v, ok := lookup(k); ok {
			out[k] = v
		}
	}
	if tty {
		if v, ok := lookup("TERM"); ok && v != "" {
			out["TERM"] = v
		} else {
			out["TERM"] = "xterm-256color"
		}
	}
	return out
}

// List turns an environment map into sorted KEY=value strings.
func List(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// system are host directories that must never be mounted over the
// container's own (they would replace its userland).
var system = []string{"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
	"/proc", "/run", "/sbin", "/sys", "/usr", "/var"}

// CheckWorkdir refuses working directories that cannot be mounted at the
// same path in a container: relative ones, /, and system directories.
func CheckWorkdir(dir string) error {
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("working directory %q is not absolute", dir)
	}
	dir = filepath.Clean(dir)
	if dir == "/" {
		return fmt.Errorf("devbox run mounts the working directory into the tool's container; it cannot mount /: cd to a project directory first")
	}
	for _, s := range system {
		if dir == s || (strings.HasPrefix(dir, s+"/") && (s == "/proc" || s == "/sys" || s == "/dev")) {
			return fmt.Errorf("devbox run mounts the working directory into the tool's container; it cannot mount the system directory %s: cd to a project directory first", dir)
		}
	}
	return nil
}

// UserSetup is run as root once in a new tool container, with the
// caller's uid and gid as $1 and $2: it gives them a passwd and group
// entry and a home directory (Home) when the image has none, so programs
// that look the user up (Java's user.home) work. It prints the user's
// home directory.
const UserSetup = `uid=$1 gid=$2
if [ "$uid" != 0 ]; then
  grep -q "^[^:]*:[^:]*:$gid:" /etc/group || echo "devbox:x:$gid:" >>/etc/group
  if ! grep -q "^[^:]*:[^:]*:$uid:" /etc/passwd; then
    echo "devbox:x:$uid:$gid:devbox tool user:/home/devbox:/bin/sh" >>/etc/passwd
    mkdir -p /home/devbox && chown "$uid:$gid" /home/devbox
  fi
fi
sed -n "s/^[^:]*:[^:]*:$uid:[^:]*:[^:]*:\\([^:]*\\):.*/\\1/p" /etc/passwd | sed -n 1p`

// Home is the home directory UserSetup gives a calling user the image
// does not know.
const Home = "/home/devbox"

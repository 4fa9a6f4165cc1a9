package images

import (
	"strings"
	"unicode"
)

// codenames are release names that read as a tag, not as a Docker repository.
var codenames = map[string]bool{
	"latest": true, "current": true, "edge": true, "stable": true, "testing": true, "sid": true,
	"bookworm": true, "bullseye": true, "trixie": true, "buster": true,
	"jammy": true, "noble": true, "focal": true,
}

// Docker returns the Docker reference for name. "distro/release" (one
// slash, release starting with a digit or a known codename) becomes
// "distro:release"; anything else, like "postgres:15" or
// "bitnami/redis", is already a Docker name and is returned unchanged.
func Docker(name string) string {
	if strings.ContainsAny(name, ":@") || strings.Count(name, "/") != 1 {
		return name
	}
	repo, rel, _ := strings.Cut(name, "/")
	if strings.Contains(repo, ".") || rel == "" {
		return name // a registry host, or malformed: leave to Docker
	}
	if unicode.IsDigit(rune(rel[0])) || codenames[rel] {
		return repo + ":" + rel
	}
	return name
}

// Incus returns the remote and alias for name. A name with a remote prefix
// ("images:debian/12") names it; otherwise remote is empty, meaning "a local
// alias first, then the images: remote". Docker's "debian:12" is read as
// "debian/12" so one spelling works on both engines.
func Incus(name string) (remote, alias string) {
	if r, a, ok := strings.Cut(name, ":"); ok && !strings.Contains(r, "/") {
		if a != "" && (strings.Contains(a, "/") || r == "images" || r == "local") {
			return r, a
		}
		if a != "" {
			return "", r + "/" + a // docker form "debian:12"
		}
	}
	return "", name
}

// DefaultRemote is where Incus aliases not found locally are looked up.
const DefaultRemote = "images"

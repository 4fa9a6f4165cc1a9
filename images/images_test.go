package images

import "testing"

func TestDocker(t *testing.T) {
	for in, want := range map[string]string{
		"debian/12":           "debian:12",
		"ubuntu/noble":        "ubuntu:noble",
		"alpine/edge":         "alpine:edge",
		"postgres:15":         "postgres:15",
		"bitnami/redis":       "bitnami/redis",
		"quay.io/foo/bar:1":   "quay.io/foo/bar:1",
		"localhost:5000/x":    "localhost:5000/x",
		"busybox":             "busybox",
		"debian@sha256:abcd":  "debian@sha256:abcd",
		"ghcr.io/owner/image": "ghcr.io/owner/image",
	} {
		if got := Docker(in); got != want {
			t.Errorf("Docker(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIncus(t *testing.T) {
	for in, want := range map[string][2]string{
		"debian/12":        {"", "debian/12"},
		"images:debian/12": {"images", "debian/12"},
		"local:myimg":      {"local", "myimg"},
		"debian:12":        {"", "debian/12"},
		"devbox/busybox":   {"", "devbox/busybox"},
	} {
		r, a := Incus(in)
		if r != want[0] || a != want[1] {
			t.Errorf("Incus(%q) = %q, %q, want %q, %q", in, r, a, want[0], want[1])
		}
	}
}

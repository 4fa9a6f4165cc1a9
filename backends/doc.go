// Package backends lists devbox's engines as a [registry.Registry]: "lxc"
// (Incus, one systemd system container) and "docker" (a set of linked
// containers), each with how to open it and what doctor says when its
// daemon is missing or stopped. cmd/devbox hands the list to the CLI, which
// imports neither engine. The engines themselves live in backends/lxc and
// backends/docker.
package backends

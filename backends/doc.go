// Package backends opens devbox's engines by name: "lxc" (Incus, one
// systemd system container) and "docker" (a set of linked containers). The
// engines themselves live in backends/lxc and backends/docker.
package backends

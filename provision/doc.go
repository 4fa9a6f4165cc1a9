// Package provision holds what both backends run to provision a service or
// a tool: the package-install script, so a `packages = [...]` list means
// the same thing in a Docker build container and in an Incus instance.
package provision

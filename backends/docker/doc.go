// Package docker is devbox's Docker backend: a devbox.hcl becomes a set of
// labelled, linked containers on a Docker engine.
//
// Every object devbox makes carries the labels dev.devbox.project,
// dev.devbox.kind, dev.devbox.name, dev.devbox.hash and dev.devbox.version;
// Observe finds a project's objects by those labels alone, and the engine's
// planner compares the hash label with Desired's to decide keep or replace
// (the docker/compose model). Names: network <project>_<net>, volume
// <project>_<vol>, container <project>-<service>; services without networks
// join the project's "default" network.
//
// A service's image is the environment image plus its packages and
// provision steps, built step by step into images tagged
// devbox-cache/<hash>, where the hash covers the base image ID and every
// step up to that one; a later build starts from the longest cached prefix.
//
// Each verb lives in its own file (create.go, start.go, stop.go, remove.go,
// observe.go, ...). Methods carry out one resource action and decide
// nothing; the engine package plans.
//
// systemd = true: on this project's hosts (cgroup v1, hybrid) systemd as
// PID 1 works with a private cgroup namespace, tmpfs on /run and /run/lock,
// stop signal SIGRTMIN+3, container=docker and CAP_SYS_ADMIN, which lets
// systemd mount its own cgroup2 tree inside the namespace (so it never sees
// or writes the host's hierarchy). Without CAP_SYS_ADMIN systemd exits with
// "Failed to create /init.scope control group: Read-only file system";
// bind-mounting the host's /sys/fs/cgroup (the usual advice) also works but
// hands the container the whole host cgroup tree. See systemd.go.
package docker

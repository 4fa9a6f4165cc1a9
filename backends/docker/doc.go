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
// Proxy: build steps (services' images and tools' alike) get env.Proxy's
// variables in their process only — fed on stdin to a wrapper that exports
// them — so no commit keeps them (docker commit keeps the container's
// Config.Env) and no tag or hash covers them. A proxy on the host's
// loopback, which a container cannot reach, is served for the build's
// duration by a TCP forwarder devbox runs on the gateway address of the
// build network devbox-build (a shared, labelled bridge like the default
// one: NAT, so no_proxy hosts and other proxies stay reachable) and the
// variables point there; the forwarder takes connections from that subnet
// only and goes to the proxy only, so the rest of the host's loopback
// stays out of reach. Hosts whose firewall drops input from Docker bridges
// must let that port in. With a remote daemon a loopback proxy is dropped
// (with a note): it is not on the daemon's machine. Without a loopback
// proxy builds run on the default bridge, as before. Tests (noNAT) build
// on devbox-build-nonat, an internal network, so every byte a test build
// fetches goes through the proxy.
//
// Networks: nat is a bridge with a /24 auto-picked from 10.200–254.x.0
// that clashes with no Docker network, host route or interface address;
// isolated is an Internal bridge — except that Docker publishes no ports
// on internal networks, so when a service on it forwards a host port it is
// a bridge with IP masquerading off (no NAT: still no way out); bridged is
// a macvlan on parent. Containers join with their service name as alias,
// so services answer DNS by name; discovery variables (Docker's legacy
// link names) are written by devbox itself, from package discovery.
//
// Replicas (replicas = N, devbox scale): one container per replica,
// <project>-<service>-<i>, each answering on its networks to its own name
// (worker-2) and to the service's (worker), which Docker's DNS answers
// with every replica's address; discovery variables name the service. A
// replica's hash leaves the count out, and networks are those of the
// declared services, so scaling creates or removes replicas only. The
// scale record is labels on an empty volume <project>_devbox.scale of
// kind "scale", which Observe does not list (scale.go).
//
// Non-systemd services run under Docker's init (docker-init), so programs
// without a SIGTERM handler still stop at once on down.
//
// Each verb lives in its own file (create.go, start.go, stop.go, remove.go,
// observe.go, ...). Methods carry out one resource action and decide
// nothing; the engine package plans.
//
// systemd = true: on this project's hosts (cgroup v1, hybrid) systemd as
// PID 1 works with a private cgroup namespace, tmpfs on /run and /run/lock,
// stop signal SIGRTMIN+3, container=docker and CAP_SYS_ADMIN, which lets
// systemd mount its own cgroup tree inside the namespace (so it never sees
// or writes the host's hierarchy), with CAP_MKNOD dropped (SYS_ADMIN can
// widen its devices.allow; it makes no device nodes). Plan lists this
// (Privileges). Without CAP_SYS_ADMIN systemd exits with
// "Failed to create /init.scope control group: Read-only file system";
// bind-mounting the host's /sys/fs/cgroup (the usual advice) also works but
// hands the container the whole host cgroup tree. See systemd.go.
//
// Observe trusts labels only as far as it can check them: a running
// container whose health check has not passed is starting (or unhealthy),
// one missing a network its dev.devbox.networks label lists drifts, and of
// several networks of one name (concurrent ups on Docker 20.10) one is
// kept — the one with containers, else the oldest — and the others are
// duplicates the plan removes; containers join networks by ID.
//
// Tool containers (tool.go) have one host directory each mounted, the one
// of the runs using them; runs hold a shared lock on it (tools.HoldDir).
package docker

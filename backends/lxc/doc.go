// Package lxc is devbox's Incus backend: a devbox.hcl becomes one
// unprivileged systemd system container (the "host"), and every service
// becomes a systemd unit devbox-<service>.service inside it.
//
// Objects devbox makes carry user.devbox.* keys in their config
// (project, hash, name, per-service unit hashes, version, the devices it
// gave the instance); Observe reads them back, and reports a device
// removed by hand as drift of its owner (a port's service, else the
// host). A service with a health check is recorded before the check
// passes; a file under /run/devbox/health in the instance says whether it
// passed for the unit's current run, so Observe tells starting, running
// and unhealthy apart. Preflight (run by the CLI before applying, as on
// docker) checks the image, subnets, bridged parents and host ports. The host hash covers everything that needs a rebuild (image,
// packages, provision steps, networks, mounts, volumes, ports, limits);
// a service hash covers only its unit, so a changed service restarts alone.
//
// Provisioning is cached in layers: after packages and after each provision
// step the container is snapshotted and published as a local image with
// the alias devbox-cache/<hash>, where hash covers (base image fingerprint,
// packages, steps so far). The next build starts from the longest cached
// prefix. Provision steps should not depend on mounted files: the cache
// does not see them. devbox's proxy (http_proxy …) reaches the package
// installs and steps only, through a proxy device while they run when it
// is on the host's loopback; it is in no cache key, file or unit.
//
// A file without network blocks gets a default nat network, as on docker.
// Services' stdout and stderr are pipes into the journal, so programs can
// open /dev/stdout and /dev/stderr; up waits for systemd to accept jobs,
// not for the whole boot.
//
// Round trips: the host's create installs every unit, its wants link and
// /etc/hosts in two execs with one daemon-reload; each service's create
// then only starts its unit (one exec) and waits, while a service created
// later or changed alone writes and restarts its own unit. Config writes
// of services that finish together share one instance update, and
// removals of units one exec. Forwarded ports share one proxy device per
// protocol and host address: incusd spends about a second of the
// instance's start on each (see portDevices for why not NAT mode).
//
// Replicas (replicas = N, devbox scale) are instances of a template unit:
// replica i of worker is devbox-worker@i.service, defined wholly by its
// drop-in (devbox-worker@i.service.d/devbox.conf) with DEVBOX_REPLICA and
// DEVBOX_PORT in its env, so each has a hash of its own and is created or
// removed alone; the label user.devbox.replica.<name> marks it. They share
// the instance's network, so a replicated service with a port block is an
// error (they listen on $DEVBOX_PORT instead); worker and worker-2 both
// resolve through /etc/hosts. A service that depends on worker names
// devbox-worker.service as before (absent while worker is replicated;
// devbox itself starts the replicas first), so scaling changes no other
// unit, and no hash but the replicas': the instance's covers the declared
// services. `devbox scale`'s record is the instance key user.devbox.scale.
//
// Differences from the docker backend: all services share one network
// namespace, so two services cannot listen on the same port and every
// service name resolves to 127.0.0.1 through /etc/hosts; discovery
// variables have the same names and values as on docker.
package lxc

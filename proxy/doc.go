// Package proxy holds the HTTP proxy settings devbox passes to
// provisioning (package installs, provision steps) on both engines: read
// from the environment of `devbox up` / `devbox run` (http_proxy,
// https_proxy, no_proxy, upper-case too), the way curl and apt read them.
//
// A proxy on the host's loopback (a local squid or cntlm) is not reachable
// from a container as such; backends bring just that port in (an Incus
// proxy device, a forwarder on a build network) and Rewrite the settings
// to the address the container sees. The proxy is transport: it is never
// part of a cache key, a built layer, or a running service's environment.
package proxy

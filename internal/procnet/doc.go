// Package procnet reads the kernel's socket tables (/proc/net/tcp and
// tcp6), as found in a process's or a container's network namespace, so a
// backend can tell whether a service listens without a daemon call.
package procnet

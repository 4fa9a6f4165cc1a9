// Package hostport answers, for the engines' preflight, whether a host
// port can be bound and, when it cannot, who holds it: the process owning
// the socket, found by reading /proc/net/{tcp,udp}[6] for the socket's
// inode and /proc/<pid>/fd for the process with that inode open. Both
// backends word a taken port the same way through Describe.
//
// It sees only this machine, and only processes whose fds it may read
// (another user's process without root stays anonymous).
package hostport

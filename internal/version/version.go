// Package version holds devbox's version, written into every engine label
// (dev.devbox.version, user.devbox.version) and printed by `devbox version`.
package version

// Version is devbox's release version.
const Version = "0.1.0"

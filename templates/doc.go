// Package templates holds the commented devbox.hcl files `devbox init`
// writes, embedded in the binary: a web app with a database and a cache
// (offline-friendly), a Go project, a Node project, a static site behind
// nginx and a legacy 32-bit Java tool. Detect picks one from a project's
// files.
package templates

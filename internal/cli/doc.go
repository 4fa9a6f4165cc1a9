// Package cli implements devbox's command line. main is tiny; each verb is a
// small type with Run(ctx, args) in its own file, wired into cobra here.
// Exit codes: 0 ok, 1 runtime failure, 2 bad input (usage or devbox.hcl).
package cli

// Package registry describes devbox's backends to the CLI without linking
// them in: a [Backend] is a name, how to open it, and what doctor tells the
// user when its daemon is missing or down. cmd/devbox builds the
// [Registry] (backends.Registry lists the real engines) and hands it to
// cli.App, so the CLI, and envfile through it, learn the backend names from
// one place, and tests hand in fakes.
package registry

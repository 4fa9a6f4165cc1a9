// Package tui is the interactive dashboard behind `devbox status` on a
// terminal: a header (project, backend, endpoint, environment state), one
// row per service (state, health, uptime, restarts, CPU, memory, addresses,
// ports), a detail pane, a log follower, and actions (shell, restart,
// stop/start, up).
//
// The model reads the engine only through Source, so it is tested with a
// fake. All I/O runs in tea.Cmds that return typed messages; Update never
// blocks. The dashboard refreshes when Source.Watch reports an engine event
// (coalesced over ~200ms) and polls every 2s for the figures events cannot
// tell (CPU, memory, uptime); there is no other timer, so an idle dashboard
// costs next to nothing.
//
// When Snapshot fails the last rows stay on screen, marked stale, under an
// "engine unreachable: <err> — retrying" banner; the next successful
// Snapshot clears it.
package tui

// Package engine is devbox's core: it observes what exists on an engine (by
// the labels devbox puts on every object), computes a plan as a pure
// function of (desired, observed), prints it, and applies it through a small
// Backend interface that the lxc and docker backends implement.
//
// The plan makes every decision; the executor only runs actions in a safe
// order (teardown by kind — services, then the host, then networks and
// volumes — with a service after the services that depend on it; then
// bring-up as a DAG with independent actions in parallel) and makes none.
package engine

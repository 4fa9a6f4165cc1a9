// Package discovery computes the service-discovery environment variables
// devbox gives every service: Docker's legacy link variables (DB_PORT,
// DB_PORT_5432_TCP_ADDR, DB_ENV_X, …) plus DB_HOST, identical in name on
// both backends. Docker deprecated link variables in 28.4; devbox writes
// them itself, so they work on every engine version and on lxc.
//
// Which of them are in whose config hash (the rule both backends follow):
// every service sees every other service that has ports. What says where
// that service is — <NAME>_HOST, <NAME>_NAME and the <NAME>_PORT family
// (Links) — is in the hash of every service that depends on it, directly
// or not (HashedLinks), so changing db's port or name replaces db and its
// dependants; adding a service, or moving one nobody depends on, replaces
// no other (they get its links when they are next created). db's own
// env copied as DB_ENV_<VAR> (PeerEnv) is in no hash but db's own: editing
// one service's env replaces that service only, as Docker's links, which
// copied the linked container's env at creation and never recreated the
// linking container for it. The copies are delivered when a service is
// (re)created — docker: in the container's env; lxc: in the unit's
// Environment= lines — so another service keeps the DB_ENV_ values it was
// created with until it is replaced for a change of its own (or by
// destroy and up). On lxc `devbox exec` and `shell` compute the env from
// the current file, so they see the new values at once; on docker they
// see the container's.
//
// Replicas: the variables speak of declared services only. A replicated
// service's WORKER_HOST, WORKER_PORT … name the service (on docker every
// replica answers to it: DNS round robin) and carry its declared env; no
// variable names one replica, and a replica sees no variables of its own
// service. So scaling changes no service's variables, and no hash.
package discovery

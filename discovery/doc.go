// Package discovery computes the service-discovery environment variables
// devbox gives every service: Docker's legacy link variables (DB_PORT,
// DB_PORT_5432_TCP_ADDR, DB_ENV_X, …) plus DB_HOST, identical in name on
// both backends. Docker deprecated link variables in 28.4; devbox writes
// them itself, so they work on every engine version and on lxc.
package discovery

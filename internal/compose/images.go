package compose

import (
	"strings"
)

// server is a well-known image that devbox runs from Debian packages
// instead, so the service comes up on lxc (where images cannot run) and on
// docker alike, and offline behind a package proxy.
type server struct {
	packages  []string
	provision []string
	port      int    // the port the image's server listens on (its EXPOSE)
	portName  string // the port block's name
	note      string // the comment above the service: what replaced the image
	// command is what runs the server given the compose service's command
	// (nil: the image's default). ok is false when that command is not the
	// image's server with arguments; the compose command is then kept as is.
	command func(args []string) (cmd []string, ok bool)
}

// imageName is an image reference's repository name without registry,
// namespace, tag or digest: "docker.io/library/postgres:16-alpine" → "postgres".
func imageName(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	ref, _, _ = strings.Cut(ref, ":")
	return strings.ToLower(ref)
}

// imageTag is the tag of an image reference, "" when it has none.
func imageTag(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	_, tag, _ := strings.Cut(ref, ":")
	return tag
}

// lookupServer returns the package mapping of an image, if devbox has one.
func lookupServer(ref string) (server, bool) {
	switch name := imageName(ref); name {
	case "postgres":
		return server{
			packages: []string{"postgresql"}, port: 5432, portName: "pg",
			note:    "Debian's PostgreSQL (15 on Debian 12), initialised on first start the way the postgres image does it (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, PGDATA)",
			command: serverArgs(postgresScript, "postgres", "postgres"),
		}, true
	case "redis":
		return server{
			packages: []string{"redis-server"}, provision: []string{"mkdir -p /data"}, port: 6379, portName: "redis",
			note:    "Debian's Redis, started as the redis image starts it (protected mode off, data in /data)",
			command: redisCommand,
		}, true
	case "nginx":
		return server{
			packages: []string{"nginx"}, provision: []string{nginxSetup}, port: 80, portName: "http",
			note:    "Debian's nginx, set up like the nginx image (conf.d/default.conf serving /usr/share/nginx/html, logs to stdout/stderr, a user nginx)",
			command: nginxCommand,
		}, true
	case "memcached":
		return server{
			packages: []string{"memcached"}, port: 11211, portName: "memcached",
			note:    "Debian's memcached, run as the memcache user as the image does",
			command: prefixed([]string{"memcached", "-u", "memcache"}, "memcached"),
		}, true
	case "mariadb", "mysql":
		note := "Debian's MariaDB, initialised on first start the way the " + name + " image does it (MYSQL_/MARIADB_ ROOT_PASSWORD, DATABASE, USER, PASSWORD)"
		if name == "mysql" {
			note = "Debian's MariaDB (MySQL-compatible; Debian has no MySQL server), initialised on first start the way the mysql image does it (MYSQL_ROOT_PASSWORD, MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD)"
		}
		return server{
			packages: []string{"mariadb-server"}, port: 3306, portName: "mysql", note: note,
			command: serverArgs(mariadbScript, "mariadbd", "mariadbd", "mysqld"),
		}, true
	case "python":
		return server{
			packages: []string{"python3", "python-is-python3"},
			note:     "Debian's Python 3 (python is python3); modules your image pip-installs are not there: add their python3-* packages, or a provision step",
		}, true
	case "debian":
		return server{note: "the Debian 12 base image both engines start from"}, true
	}
	return server{}, false
}

// serverArgs runs a shell script whose "$@" are the server's arguments:
// the compose command, when it is the server (one of names) with
// arguments or only arguments (starting with "-"), as the images'
// entrypoints accept it.
func serverArgs(script, argv0 string, names ...string) func([]string) ([]string, bool) {
	return func(args []string) ([]string, bool) {
		rest, ok := serverRest(args, names)
		return append([]string{"sh", "-ec", script, argv0}, rest...), ok
	}
}

// prefixed runs base followed by the compose command's arguments.
func prefixed(base []string, names ...string) func([]string) ([]string, bool) {
	return func(args []string) ([]string, bool) {
		rest, ok := serverRest(args, names)
		return append(append([]string{}, base...), rest...), ok
	}
}

// serverRest is the server's arguments in a compose command: what follows
// the server's name, or the whole command when it starts with an option.
// ok is false when the command runs something else.
func serverRest(args []string, names []string) ([]string, bool) {
	if len(args) == 0 {
		return nil, true
	}
	if strings.HasPrefix(args[0], "-") {
		return args, true
	}
	for _, n := range names {
		if args[0] == n {
			return args[1:], true
		}
	}
	return nil, false
}

// redisCommand is redis-server as the image runs it; a config file (the
// first argument, when it is not an option) stays first, and the compose
// command's options come after devbox's, so they win.
func redisCommand(args []string) ([]string, bool) {
	rest, ok := serverRest(args, []string{"redis-server"})
	cmd := []string{"redis-server"}
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		cmd, rest = append(cmd, rest[0]), rest[1:]
	}
	cmd = append(cmd, "--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/data")
	return append(cmd, rest...), ok
}

// nginxCommand is the image's nginx -g "daemon off;", or the compose
// command when it runs nginx itself (nginx-debug is nginx on Debian).
func nginxCommand(args []string) ([]string, bool) {
	if len(args) == 0 {
		return []string{"nginx", "-g", "daemon off;"}, true
	}
	if args[0] == "nginx" || args[0] == "nginx-debug" {
		return append([]string{"nginx"}, args[1:]...), true
	}
	return nil, false
}

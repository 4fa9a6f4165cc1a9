// Package compose turns a Docker Compose project into devbox.hcl text, for
// `devbox import`.
//
// Loading is compose-go's (the library Docker Compose itself uses), so
// interpolation, .env, extends, include, override files and profiles
// behave exactly as in Compose; every profile is enabled, so every service
// is imported along with the profiles it belongs to.
//
// Mapping is a pure function of the loaded project: each service becomes a
// service block, its bind mounts top-level mount blocks, its named volumes
// volume blocks, its networks network blocks. What devbox has no
// equivalent for is not dropped silently: it is returned as [Row]s
// (service, field, why) for the caller to print.
//
// Images devbox knows (postgres, redis, nginx, memcached, mariadb/mysql,
// python, debian) become Debian packages and the command that runs the
// server the way the image does, honouring the image's environment
// conventions (POSTGRES_PASSWORD, MYSQL_DATABASE, …) at the service's
// first start, so the file comes up on both engines: lxc, where every
// service is a systemd unit in one system container and images cannot
// run, and docker. Any other image stays docker-only (docker { image }).
package compose

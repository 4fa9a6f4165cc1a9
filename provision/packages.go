package provision

import "strings"

// PackagesScript returns the sh script that installs pkgs with the image's
// package manager, only those missing (nothing missing: no package manager
// run at all, so offline builds work from a base that has everything).
//
// On Debian-like images packages neither start nor enable their own
// daemons: devbox's services run the servers, and a packaged
// redis-server or postgresql started at boot (lxc, or docker's
// systemd = true) would hold the service's port. A policy-rc.d that says
// no (as Debian's container images ship) stops the starts; units the
// install enabled are disabled again.
func PackagesScript(pkgs []string) string {
	q := make([]string, len(pkgs))
	for i, p := range pkgs {
		q[i] = Quote(p)
	}
	return `set -e
set -- ` + strings.Join(q, " ") + `
missing=""
if command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -z "$missing" ]; then echo "packages already installed: $*"; exit 0; fi
  export DEBIAN_FRONTEND=noninteractive
  enabled() { command -v systemctl >/dev/null 2>&1 || return 0
    systemctl --root=/ list-unit-files --state=enabled --no-legend 2>/dev/null | sed 's/[[:space:]].*//' | sort; }
  enabled >/tmp/devbox-enabled.before
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# devbox: no daemon starts while packages install\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d; policy=1
  fi
  trap '[ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d; rm -f /tmp/devbox-enabled.*' EXIT
  apt-get update -q
  apt-get install -y -q --no-install-recommends $missing
  enabled >/tmp/devbox-enabled.after
  for u in $(comm -13 /tmp/devbox-enabled.before /tmp/devbox-enabled.after); do
    echo "devbox: disabling $u (enabled by the packages; devbox's services run what is needed)"
    systemctl --root=/ disable "$u" >/dev/null 2>&1 || true
  done
  rm -rf /var/lib/apt/lists/*
elif command -v apk >/dev/null 2>&1; then
  for p in "$@"; do apk info -e "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -z "$missing" ]; then echo "packages already installed: $*"; exit 0; fi
  apk add --no-cache $missing
elif command -v dnf >/dev/null 2>&1; then
  for p in "$@"; do rpm -q "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -z "$missing" ]; then echo "packages already installed: $*"; exit 0; fi
  dnf install -y $missing
  dnf clean all
else
  echo "devbox: no known package manager (apt-get, apk, dnf) in this image" >&2
  exit 1
fi
`
}

// Quote quotes s for sh.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

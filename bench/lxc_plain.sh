#!/usr/bin/env bash
# The hand-written Incus baseline for bench/vs_lxc.sh: what a careful
# script does to bring up bench/stack's eight services in one system
# container with the incus CLI — an isolated bridge (no NAT), the instance
# on it, a proxy device per forwarded port, one unit file per service
# pushed, one daemon-reload and one start of them all — and to remove it.
# Usage: lxc_plain.sh up|down PROJECT
set -euo pipefail
op=$1 P=$2
I=plain-$P NET=plain-$P
if [ "$op" = down ]; then
  incus delete -f "$I" >/dev/null 2>&1 || true
  incus network delete "$NET" >/dev/null 2>&1 || true
  exit 0
fi
incus network create "$NET" ipv4.address=${PLAIN_SUBNET:-10.231.8.1/24} ipv4.nat=false ipv6.address=none >/dev/null
incus init debian/12 "$I" >/dev/null
incus config device add "$I" eth0 nic network="$NET" name=eth0 >/dev/null
for i in $(seq 1 8); do
  incus config device add "$I" "port-s$i" proxy listen="tcp:127.0.0.1:$((18000 + i))" \
    connect="tcp:127.0.0.1:$((8000 + i))" bind=host >/dev/null
done
incus start "$I"
# systemd must accept jobs before units can be started.
until incus exec "$I" -- systemctl is-system-running 2>/dev/null | grep -qE 'running|degraded|starting'; do sleep 0.1; done
units=$(mktemp -d)
for i in $(seq 1 8); do
  cat >"$units/s$i.service" <<EOF
[Unit]
Description=s$i
[Service]
Environment=ID=$i
ExecStart=/usr/bin/python3 -m http.server $((8000 + i))
Restart=on-failure
EOF
done
incus file push "$units"/*.service "$I/etc/systemd/system/" >/dev/null
rm -rf "$units"
incus exec "$I" -- sh -c 'systemctl daemon-reload && systemctl start s1 s2 s3 s4 s5 s6 s7 s8'

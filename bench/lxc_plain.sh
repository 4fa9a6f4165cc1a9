#!/usr/bin/env bash
# The hand-written Incus baseline for bench/vs_lxc.sh: what a careful
# script does to bring up bench/stack's eight services in one system
# container with the incus CLI — an isolated bridge (no NAT), the instance
# on it, a proxy device per forwarded port, one unit file per service
# pushed, one daemon-reload and one start of them all — and to remove it.
# Its host ports are 19101-19108 (devbox's in bench/vs_lxc.sh 19001-19008,
# bench/vs_compose.sh's 18001-18008), so no instance left running makes
# another side fail.
# Usage: lxc_plain.sh up|down PROJECT
set -euo pipefail
op=$1 P=$2
I=plain-$P NET=plain-$P
if [ "$op" = down ]; then
  incus delete -f "$I" >/dev/null 2>&1 || true
  # incusd fails a delete now and then while a bridge's veth goes away
  # ("bridge children interfaces"); a later try succeeds.
  for try in 1 2 3 4 5; do
    incus network delete "$NET" >/dev/null 2>&1 || ! incus network show "$NET" >/dev/null 2>&1 && break
    sleep 0.$try
  done
  exit 0
fi
# A /24 of 10.231.0.0/16 seeded by the project and free on this host (a
# fixed one failed whenever another bridge already had it).
subnet=${PLAIN_SUBNET:-}
if [ -z "$subnet" ]; then
  seed=$(printf '%s' "$P" | cksum | cut -d' ' -f1)
  for try in $(seq 0 254); do
    x=$(((seed + try) % 254 + 1))
    ip -4 route show | grep -q "^10\.231\.$x\." || { subnet=10.231.$x.1/24; break; }
  done
fi
incus network create "$NET" ipv4.address="$subnet" ipv4.nat=false ipv6.address=none >/dev/null
incus init debian/12 "$I" >/dev/null
incus config device add "$I" eth0 nic network="$NET" name=eth0 >/dev/null
for i in $(seq 1 8); do
  incus config device add "$I" "port-s$i" proxy listen="tcp:127.0.0.1:$((19100 + i))" \
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

#!/usr/bin/env bash
# The plain-Docker baseline for BenchmarkDockerUp: what a hand-written
# script does to bring up the same N services devbox does — one labelled
# network, then `docker run` per service with the same image, network
# alias, link-style discovery variables, labels and port forwards.
# usage: docker_plain.sh PROJECT N BASEPORT
set -euo pipefail
P=$1 N=$2 BASE=$3
D=${DOCKER:-/usr/bin/docker}
$D network create --label "dev.devbox.project=$P" "${P}_default" >/dev/null
for i in $(seq 1 "$N"); do
  envs=()
  for j in $(seq 1 "$N"); do
    [ "$j" = "$i" ] && continue
    S="S$j"
    envs+=(-e "${S}_HOST=s$j" -e "${S}_NAME=/s$i/s$j" -e "${S}_PORT=tcp://s$j:80"
      -e "${S}_PORT_80_TCP=tcp://s$j:80" -e "${S}_PORT_80_TCP_ADDR=s$j"
      -e "${S}_PORT_80_TCP_PORT=80" -e "${S}_PORT_80_TCP_PROTO=tcp" -e "${S}_ENV_ID=$j")
  done
  $D run -d --name "$P-s$i" --hostname "s$i" --network "${P}_default" --network-alias "s$i" \
    --label "dev.devbox.project=$P" --restart on-failure -e "ID=$i" "${envs[@]}" \
    --expose 80 -p "127.0.0.1:$((BASE + i)):80" debian:12 sleep infinity >/dev/null
done

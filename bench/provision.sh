#!/usr/bin/env bash
# Provisioning bench: the packages of examples/notes' stack (PostgreSQL 15,
# Redis, nginx, uWSGI + bottle + psycopg2 + redis-py) installed by
#   devbox up --backend lxc      (one system container: one install)
#   devbox up --backend docker   (a derived image per service, cached per step)
#   docker build                 (one Dockerfile per service, as people write
#                                 them; Debian's /usr/bin/docker, legacy builder,
#                                 --network host so it reaches the loopback proxy)
# through a warm package proxy (squid on 127.0.0.1:3128, .ci/proxy), so the
# network is not what is measured. Three paths, timed with hyperfine:
#   cold   no cached layer or image (devbox: cache prune --all; docker: --no-cache)
#   fresh  a fresh checkout (new directory, new project) with the cache warm:
#          nothing should be installed again
#   add1   one package added to one service (python3-yaml to app): only that
#          service's layer should be rebuilt
# devbox's figures are whole `up`s (provision, start, health waits); docker
# build's are builds only, so the ratios flatter Docker. Prints ratios.
# Needs: root, both engines, squid, hyperfine (apt-get install hyperfine),
# bin/devbox (make build). Removes EVERY devbox cache layer (cache prune
# --all) on cold runs.  usage: bench/provision.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-2}
DEVBOX=$PWD/${DEVBOX:-bin/devbox}
DOCKER=/usr/bin/docker
export http_proxy=${http_proxy:-http://127.0.0.1:3128}
W=$(mktemp -d /tmp/devbox-provbench.XXXXXX)
cleanup() {
  for n in cold fresh add1; do for b in lxc docker; do
    [ -d "$W/$n" ] && "$DEVBOX" -C "$W/$n" --backend $b -p provbench-$n-$b destroy --volumes >/dev/null 2>&1 || true
  done; done
  $DOCKER rmi -f provbench-db provbench-cache provbench-app provbench-web >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT

# The stack's services and their packages, as in examples/notes/devbox.hcl.
declare -A PKGS=(
  [db]="postgresql"
  [cache]="redis-server"
  [app]="uwsgi uwsgi-plugin-python3 python3-bottle python3-psycopg2 python3-redis"
  [web]="nginx"
)
mkdir -p "$W/docker"
for s in "${!PKGS[@]}"; do
  cat >"$W/docker/$s.Dockerfile" <<DF
FROM debian:12
ARG http_proxy
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PKGS[$s]} && rm -rf /var/lib/apt/lists/*
DF
done
cat >"$W/build-all" <<SH
#!/bin/sh -e
# Every service's image, one after another, as a plain script would.
for f in $W/docker/*.Dockerfile; do
  s=\$(basename "\$f" .Dockerfile)
  $DOCKER build -q "\$@" --network host --build-arg http_proxy="$http_proxy" -t "provbench-\$s" -f "\$f" $W/docker >/dev/null
done
SH
chmod +x "$W/build-all"

checkout() { # $1: name — a fresh copy of the example
  rm -rf "$W/$1" && cp -r examples/notes "$W/$1"
}
destroy() { echo "$DEVBOX -C $W/$1 --backend $2 -p provbench-$1-$2 destroy --volumes >/dev/null 2>&1 || true"; }
# Host ports: the example's defaults would collide across backends.
for n in cold fresh add1; do checkout $n; done
sed -i 's/host = var.pg_port/host = 0/; s/host = var.redis_port/host = 0/; s/host = var.web_port .*/host = 0/' "$W"/*/devbox.hcl 2>/dev/null || true

echo "== cold (nothing cached)"
hyperfine --runs "$RUNS" --export-json "$W/cold.json" \
  --prepare "$(destroy cold lxc); $DEVBOX -C $W/cold --backend lxc cache prune --all >/dev/null" \
  -n "devbox lxc" "$DEVBOX -C $W/cold --backend lxc -p provbench-cold-lxc up" \
  --prepare "$(destroy cold docker); $DEVBOX -C $W/cold --backend docker cache prune --all >/dev/null" \
  -n "devbox docker" "$DEVBOX -C $W/cold --backend docker -p provbench-cold-docker up" \
  --prepare "$DOCKER rmi -f provbench-db provbench-cache provbench-app provbench-web >/dev/null 2>&1 || true" \
  -n "docker build" "$W/build-all --no-cache"
echo "== fresh checkout, cache warm"
hyperfine --runs "$RUNS" --export-json "$W/fresh.json" \
  --prepare "$(destroy fresh lxc)" -n "devbox lxc" "$DEVBOX -C $W/fresh --backend lxc -p provbench-fresh-lxc up" \
  --prepare "$(destroy fresh docker)" -n "devbox docker" "$DEVBOX -C $W/fresh --backend docker -p provbench-fresh-docker up" \
  --prepare "true" -n "docker build" "$W/build-all"
echo "== one package added to app (python3-yaml)"
for b in lxc docker; do "$DEVBOX" -C "$W/add1" --backend $b -p provbench-add1-$b up >/dev/null; done
sed -i 's/"python3-redis"\]/"python3-redis", "python3-yaml"]/' "$W/add1/devbox.hcl"
sed -i 's/python3-redis &&/python3-redis python3-yaml \&\&/' "$W/docker/app.Dockerfile"
hyperfine --runs 1 --export-json "$W/add1.json" \
  -n "devbox lxc" "$DEVBOX -C $W/add1 --backend lxc -p provbench-add1-lxc up" \
  -n "devbox docker" "$DEVBOX -C $W/add1 --backend docker -p provbench-add1-docker up" \
  -n "docker build" "$W/build-all"

python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
for path in ("cold", "fresh", "add1"):
    r = {x["command"]: x["median"] for x in json.load(open(f"{w}/{path}.json"))["results"]}
    b = r["docker build"]
    print(f"{path:6} devbox lxc {r['devbox lxc']:7.1f} s  devbox docker {r['devbox docker']:7.1f} s  docker build {b:7.1f} s"
          f"  ratios lxc/build {r['devbox lxc']/b:5.2f}  docker/build {r['devbox docker']/b:5.2f}  lxc/docker {r['devbox lxc']/r['devbox docker']:5.2f}")
PY

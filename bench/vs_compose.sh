#!/usr/bin/env bash
# devbox (docker backend) side by side with Docker Compose on the stack in
# bench/stack (8 python3 http.server services, one isolated network, ports
# forwarded, a 2-level depends_on tree), in paired runs: each round runs
# both, alternating which goes first; medians and devbox/compose ratios.
#
# Compose is the v2 CLI plugin of Debian's docker client: /usr/bin/docker
# compose (v2.29.7 built from the Go module proxy, see README). Both talk
# to the same dockerd. The two stacks forward different host ports, so
# both can be up at once (status and edit rows need that).
#
# `devbox up` ends by checking that every service it started still runs
# once settled (engine/settle.go: idle by its cgroup's CPU time, or 2 s);
# `compose up -d` checks nothing and `compose up -d --wait` waits for
# running (or healthy): rows for both.
# devbox removes a replaced or destroyed container at once (a forced
# remove, SIGKILL); compose stops it first, and python3 as PID 1 ignores
# SIGTERM, so each level of the depends_on tree would wait compose's 10 s
# stop timeout: compose runs with -t 0 (kill at once), as devbox does.
# Usage: bench/vs_compose.sh [ROUNDS]   (default 5; DEVBOX=path skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5} PEER=compose
BIN=${DEVBOX:-}
if [ -z "$BIN" ]; then
  go build -o bin/devbox ./cmd/devbox
  BIN=./bin/devbox
fi
# Compose v2.29.7 from the Go module proxy when the plugin is absent (no
# registry or GitHub release is reachable here), installed where Debian's
# docker client looks for CLI plugins.
if ! /usr/bin/docker compose version >/dev/null 2>&1; then
  echo "bench: building Docker Compose v2.29.7 from the Go module proxy (a few minutes)" >&2
  CB=$(mktemp -d)
  GOBIN=$CB GOFLAGS=-mod=mod go install github.com/docker/compose/v2/cmd@v2.29.7
  install -D -m 755 "$CB/cmd" /usr/local/lib/docker/cli-plugins/docker-compose
  rm -rf "$CB"
fi
/usr/bin/docker compose version
S=bench/stack
W=$(mktemp -d)
trap 'down_all; rm -rf "$W"' EXIT
cp $S/devbox.hcl "$W/a.hcl"
sed 's/ID = "5"/ID = "5-edited"/' $S/devbox.hcl >"$W/b.hcl"
cp $S/compose.yaml "$W/a.yaml"
sed 's/ID: "5"/ID: "5-edited"/' $S/compose.yaml >"$W/b.yaml"
cmp -s "$W/a.hcl" "$W/b.hcl" && { echo "bench: the edit did not apply to devbox.hcl" >&2; exit 1; }
cmp -s "$W/a.yaml" "$W/b.yaml" && { echo "bench: the edit did not apply to compose.yaml" >&2; exit 1; }
DBX=("$BIN" --backend docker -p vsdbx)
CMP=(/usr/bin/docker compose -p vscmp)
DOCKER=/usr/bin/docker
# The timed commands run in command substitutions, where set -e does not
# apply: a failure is recorded in $W/failed and ends the script after the row.
dbx() { "${DBX[@]}" -f "$W/$1.hcl" "${@:2}" >>"$W/log" 2>&1 || echo "devbox $*" >>"$W/failed"; }
cmpose() { "${CMP[@]}" -f "$W/$1.yaml" "${@:2}" >>"$W/log" 2>&1 || echo "compose $*" >>"$W/failed"; }
down_all() { dbx a destroy; cmpose a down -t 0 -v --remove-orphans; rm -f "$W/failed"; }
check() {
  if [ -s "$W/failed" ]; then
    echo "bench: failed: $(sort -u "$W/failed" | tr '\n' ';')" >&2
    cp "$W/log" /tmp/vs_compose.log
    echo "bench: the commands' output is in /tmp/vs_compose.log" >&2
    exit 1
  fi
}

. bench/pair.sh
ids() { $DOCKER ps -aq --no-trunc --filter "label=$1" | sort; }
replaced() { comm -13 <(echo "$1") <(echo "$2") | grep -c . || true; }

down_all
pair "cold up + destroy" "" "dbx a up; dbx a destroy" "" "cmpose a up -d; cmpose a down -t 0 -v"
check
pair "cold up (compose up -d)" "dbx a destroy" "dbx a up" "cmpose a down -t 0 -v" "cmpose a up -d"
check
pair "cold up (compose up -d --wait)" "dbx a destroy" "dbx a up" "cmpose a down -t 0 -v" "cmpose a up -d --wait"
check
# Where a cold up's time goes, from dockerd's own event stream: the
# engine's span (the network's create to the last container's start, the
# same work for both tools) and each tool's own share of its wall time
# (start-up, observing, planning; for devbox also the settle check and the
# summary). Paired rounds, alternating order, medians.
span() { # span PREFIX SETUP RUN: prints "wall engine" in ms
  eval "$2"
  local t0 t1
  t0=$(date +%s.%N); eval "$3"; t1=$(date +%s.%N)
  $DOCKER events --since "$t0" --until "$t1" --filter type=container --filter type=network \
    --format '{{.TimeNano}} {{.Action}} {{.Actor.Attributes.name}}' |
    awk -v p="$1" -v t0="$t0" -v t1="$t1" 'index($3, p) == 1 && ($2 == "create" || $2 == "start") {
      if (!f) f = $1; l = $1 } END { printf "%d %d\n", (t1 - t0) * 1000, (l - f) / 1e6 }'
}
da=() de=() ca=() ce=()
for ((i = 0; i < N; i++)); do
  if ((i % 2 == 0)); then
    read -r w e < <(span vsdbx "dbx a destroy" "dbx a up"); da+=("$w"); de+=("$e")
    read -r w e < <(span vscmp "cmpose a down -t 0 -v" "cmpose a up -d"); ca+=("$w"); ce+=("$e")
  else
    read -r w e < <(span vscmp "cmpose a down -t 0 -v" "cmpose a up -d"); ca+=("$w"); ce+=("$e")
    read -r w e < <(span vsdbx "dbx a destroy" "dbx a up"); da+=("$w"); de+=("$e")
  fi
done
check
md() { printf '%s\n' "$@" | median; }
mda=$(md "${da[@]}") mde=$(md "${de[@]}") mca=$(md "${ca[@]}") mce=$(md "${ce[@]}")
printf '%-34s devbox %6d ms   %s %6d ms   ratio %.2f\n' "cold up: the engine's span" "$mde" "$PEER" "$mce" "$(echo "$mde / $mce" | bc -l)"
printf '%-34s devbox %6d ms   %s %6d ms   (wall %d / %d ms)\n' "cold up: the tool's own share" \
  "$(md "$(for ((i = 0; i < N; i++)); do echo $((da[i] - de[i])); done)")" "$PEER" \
  "$(md "$(for ((i = 0; i < N; i++)); do echo $((ca[i] - ce[i])); done)")" "$mda" "$mca"
pair "no-op re-up" "dbx a up" "dbx a up" "cmpose a up -d" "cmpose a up -d"
check
pair "status table / ps" "" "dbx a status --no-tui" "" "cmpose a ps"
check
# One service's env edited: alternate between the two files so every
# timed run is a change; count the containers each replaced.
E=a F=a
for wait in "" "--wait"; do
  pair "env of s5 edited, re-up (up -d $wait)" "E=\$([ \$E = a ] && echo b || echo a); D0=\$(ids dev.devbox.project=vsdbx)" \
    "dbx \$E up" "F=\$([ \$F = a ] && echo b || echo a); C0=\$(ids com.docker.compose.project=vscmp)" "cmpose \$F up -d -t 0 $wait"
  check
  printf '  replaced on the last edit: devbox %s, compose %s (of 8)\n' \
    "$(replaced "$D0" "$(ids dev.devbox.project=vsdbx)")" "$(replaced "$C0" "$(ids com.docker.compose.project=vscmp)")"
done

#!/usr/bin/env bash
# devbox (docker backend) side by side with Docker Compose on the stack in
# bench/stack (8 python3 http.server services, one isolated network, ports
# forwarded, a 2-level depends_on tree), in paired runs: each round runs
# both, alternating which goes first; medians and devbox/compose ratios.
#
# Compose is the v2 CLI plugin of Debian's docker client: /usr/bin/docker
# compose (v2.29.7 built from the Go module proxy, see README). Both talk
# to the same dockerd.
# Usage: bench/vs_compose.sh [ROUNDS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5} PEER=compose
go build -o bin/devbox ./cmd/devbox
S=bench/stack
W=$(mktemp -d)
trap 'rm -rf "$W"; down_all' EXIT
cp $S/devbox.hcl "$W/a.hcl"
sed 's/ID = "5"/ID = "5-edited"/' $S/devbox.hcl >"$W/b.hcl"
cp $S/compose.yaml "$W/a.yaml"
sed 's/ID: "5"/ID: "5-edited"/' $S/compose.yaml >"$W/b.yaml"
DBX=(./bin/devbox --backend docker -p vsdbx)
CMP=(/usr/bin/docker compose -p vscmp)
DOCKER=/usr/bin/docker
dbx() { "${DBX[@]}" -f "$W/$1.hcl" "${@:2}" >/dev/null 2>&1; }
cmp() { "${CMP[@]}" -f "$W/$1.yaml" "${@:2}" >/dev/null 2>&1; }
down_all() { dbx a destroy || true; cmp a down -v --remove-orphans || true; }

. bench/pair.sh
ids() { $DOCKER ps -aq --filter "label=$1" | sort; }
replaced() { comm -13 <(echo "$1") <(echo "$2") | grep -c . || true; }

down_all
pair "cold up + destroy" "" "dbx a up; dbx a destroy" "" "cmp a up -d; cmp a down -v"
pair "cold up" "dbx a destroy" "dbx a up" "cmp a down -v" "cmp a up -d"
pair "no-op re-up" "dbx a up" "dbx a up" "cmp a up -d" "cmp a up -d"
pair "status table / ps" "" "dbx a status --no-tui" "" "cmp a ps"
# One service's env edited: alternate between the two files so every
# timed run is a change; count the containers each replaced.
dbx a up; cmp a up -d
E=a F=a
pair "one service's env edited, re-up" "E=\$([ \$E = a ] && echo b || echo a); D0=\$(ids dev.devbox.project=vsdbx)" \
  "dbx \$E up" "F=\$([ \$F = a ] && echo b || echo a); C0=\$(ids com.docker.compose.project=vscmp)" "cmp \$F up -d"
printf 'replaced on the last edit: devbox %s, compose %s (of 8)\n' \
  "$(replaced "$D0" "$(ids dev.devbox.project=vsdbx)")" "$(replaced "$C0" "$(ids com.docker.compose.project=vscmp)")"

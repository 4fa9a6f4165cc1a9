#!/usr/bin/env bash
# devbox (lxc backend) side by side with a hand-written incus script
# (bench/lxc_plain.sh) on bench/stack: cold up + destroy and cold up alone,
# in paired runs (bench/pair.sh). Both use the incus CLI's local daemon.
# Usage: bench/vs_lxc.sh [ROUNDS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5} PEER=incus-script
go build -o bin/devbox ./cmd/devbox
DBX=(./bin/devbox -f bench/stack/devbox.hcl --backend lxc -p vslxc)
dbx() { "${DBX[@]}" "$@" >/dev/null 2>&1; }
plain() { bash bench/lxc_plain.sh "$1" vslxc >/dev/null 2>&1; }
trap 'dbx destroy || true; plain down' EXIT
. bench/pair.sh
dbx destroy || true; plain down
pair "cold up + destroy" "" "dbx up; dbx destroy" "" "plain up; plain down"
pair "cold up" "dbx destroy" "dbx up" "plain down" "plain up"

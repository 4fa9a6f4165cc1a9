#!/usr/bin/env bash
# devbox (lxc backend) side by side with a hand-written incus script
# (bench/lxc_plain.sh) on bench/stack (host ports moved, see STACK): cold
# up + destroy and cold up alone, in paired runs (bench/pair.sh). Both use
# the incus CLI's local daemon.
# Usage: [DEVBOX_BIN=path] bench/vs_lxc.sh [ROUNDS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5} PEER=incus-script
# A private binary (or DEVBOX_BIN, to compare builds): edits (or other
# benches) during the run change nothing.
BIN=${DEVBOX_BIN:-}
if [ -z "$BIN" ]; then
  BIN=$(mktemp -d)/devbox
  go build -o "$BIN" ./cmd/devbox
fi
# bench/stack with its host ports moved to 19001-19008: bench/vs_compose.sh
# forwards 18001-18008 from the same file, and either bench may be running.
STACK=$(mktemp -d)
sed 's/host = 180/host = 190/' bench/stack/devbox.hcl >"$STACK/devbox.hcl"
DBX=("$BIN" -f "$STACK/devbox.hcl" --backend lxc -p vslxc)
# A failed run would time its error message: stop the bench instead
# (ms runs in a subshell; $$ is this script).
LOG=$(mktemp)
dbx() { "${DBX[@]}" "$@" >"$LOG" 2>&1 || { cat "$LOG" >&2; kill $$; }; }
plain() { bash bench/lxc_plain.sh "$1" vslxc >"$LOG.plain" 2>&1 || { cat "$LOG.plain" >&2; kill $$; }; }
trap '"${DBX[@]}" destroy >/dev/null 2>&1; bash bench/lxc_plain.sh down vslxc; rm -rf "$LOG" "$LOG.plain" "$STACK"' EXIT
. bench/pair.sh
dbx destroy || true; plain down
pair "cold up + destroy" "" "dbx up; dbx destroy" "" "plain up; plain down"
pair "cold up" "dbx destroy" "dbx up" "plain down" "plain up"

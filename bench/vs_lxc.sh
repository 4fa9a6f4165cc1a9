#!/usr/bin/env bash
# devbox (lxc backend) side by side with a hand-written incus script
# (bench/lxc_plain.sh) on bench/stack (host ports moved, see STACK): cold
# up + destroy and cold up alone, in paired runs (bench/pair.sh). Both use
# the incus CLI's local daemon. Then devbox against itself: cold up with
# the 8 ports forwarded vs the same stack with none, and one service's env
# edited (which units restarted: their start times, from systemctl).
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
grep -v 'host = 180' bench/stack/devbox.hcl >"$STACK/noports.hcl"
sed 's/ID = "5"/ID = "5-edited"/' "$STACK/devbox.hcl" >"$STACK/edited.hcl"
cmp -s "$STACK/devbox.hcl" "$STACK/edited.hcl" && { echo "bench: the edit did not apply" >&2; exit 1; }
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

PEER="no ports"
NOP=("$BIN" -f "$STACK/noports.hcl" --backend lxc -p vslxcnp)
nop() { "${NOP[@]}" "$@" >"$LOG" 2>&1 || { cat "$LOG" >&2; kill $$; }; }
trap '"${DBX[@]}" destroy >/dev/null 2>&1; "${NOP[@]}" destroy >/dev/null 2>&1; bash bench/lxc_plain.sh down vslxc; rm -rf "$LOG" "$LOG.plain" "$STACK"' EXIT
pair "cold up: 8 ports vs none" "dbx destroy" "dbx up" "nop destroy" "nop up"
nop destroy

# One service's env edited, re-up, alternating between the two files so
# every timed run is a change; no peer: the plain script has no re-up.
starts() { incus exec devbox-vslxc -- systemctl show -p ExecMainStartTimestampMonotonic --value devbox-s{1..8}.service | grep .; }
edit_up() { "$BIN" -f "$STACK/$1" --backend lxc -p vslxc up >"$LOG" 2>&1 || { cat "$LOG" >&2; kill $$; }; }
dbx up
F=devbox.hcl t=()
for ((i = 0; i < N; i++)); do
  F=$([ $F = devbox.hcl ] && echo edited.hcl || echo devbox.hcl)
  S0=$(starts)
  t+=("$(ms edit_up $F)")
  S1=$(starts)
done
restarted=$(diff <(echo "$S0") <(echo "$S1") | grep -c '^>' || true)
printf '%-34s devbox %6d ms   units restarted on the last edit: %s of 8\n' "env of s5 edited, re-up" "$(printf '%s\n' "${t[@]}" | median)" "$restarted"

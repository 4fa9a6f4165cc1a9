#!/usr/bin/env bash
# Dashboard benchmark on a real engine: time from starting `devbox status`
# to the first frame showing all 8 services, and the dashboard process's own
# CPU use over 30 s idle (target: well under 2% of a core).
# Usage: bench/dashboard.sh [docker|lxc] [idle-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-docker}; IDLE=${2:-30}
go build -o bin/devbox ./cmd/devbox
P=bench-dash-$B
D=(./bin/devbox -f bench/eight.hcl --backend "$B" -p "$P")
trap 'tmux kill-session -t "$P" 2>/dev/null || true; "${D[@]}" destroy >/dev/null 2>&1 || true' EXIT
"${D[@]}" up >/dev/null 2>&1
t0=$(date +%s%N)
tmux new-session -d -s "$P" -x 120 -y 30 "${D[*]} status"
until [ "$(tmux capture-pane -p -t "$P" | grep -cE '^[> ] s[1-8] +running')" = 8 ]; do sleep 0.01; done
t1=$(date +%s%N)
pid=$(pgrep -f -- "^\./bin/devbox .*-p $P status" | head -1)
[ -n "$pid" ] || { echo "dashboard process not found"; exit 1; }
ps -o pid,args -p "$pid" | tail -1
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14+$15}' "/proc/$pid/stat"; }
c0=$(ticks); sleep "$IDLE"; c1=$(ticks)
printf 'backend=%s first_frame_ms=%d idle_cpu_percent=%.2f (over %ss)\n' "$B" $(((t1 - t0) / 1000000)) \
  "$(echo "($c1 - $c0) * 100 / $hz / $IDLE" | bc -l)" "$IDLE"

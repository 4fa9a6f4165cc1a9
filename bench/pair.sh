# Paired timing for the bench scripts (sourced): N rounds, each running
# both commands, alternating which goes first, so drift in the machine's
# load hits both alike. Prints medians and the devbox/peer ratio.
# ms runs "$@" and prints its wall time in milliseconds.
ms() { local t0 t1; t0=$(date +%s%N); "$@"; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

# pair NAME SETUP_A RUN_A SETUP_B RUN_B: SETUP_* untimed before each run.
pair() {
  local name=$1 sa=$2 ra=$3 sb=$4 rb=$5 i a=() b=()
  for ((i = 0; i < N; i++)); do
    if ((i % 2 == 0)); then
      eval "$sa"; a+=("$(ms eval "$ra")"); eval "$sb"; b+=("$(ms eval "$rb")")
    else
      eval "$sb"; b+=("$(ms eval "$rb")"); eval "$sa"; a+=("$(ms eval "$ra")")
    fi
  done
  local ma mb
  ma=$(printf '%s\n' "${a[@]}" | median); mb=$(printf '%s\n' "${b[@]}" | median)
  printf '%-34s devbox %6d ms   %s %6d ms   ratio %.2f\n' "$name" "$ma" "${PEER:-peer}" "$mb" "$(echo "$ma / $mb" | bc -l)"
}


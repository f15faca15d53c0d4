#!/usr/bin/env bash
# Threads beside another job: `lwl bench --config CFG` on one and on two
# threads, alternating ROUNDS times, first on an idle machine, then with a
# one-thread `lwl bench --config ledm12` running beside it (one core busy).
# Prints every s/GWM and the medians. With BASE=path/to/other/lwl the same
# runs of that binary alternate with these (before/after comparisons).
# Usage: experiments/threads_busy.sh [CFG] [ROUNDS]    (majority, 5)
set -euo pipefail
cd "$(dirname "$0")/.."
cfg=${1:-majority}
rounds=${2:-5}
lwl=${LWL:-target/release/lwl}
bins=("$lwl")
[[ -n ${BASE:-} ]] && bins+=("$BASE")
one() { "$1" bench --config "$cfg" --precision f64 --seconds 3 --threads "$2" --json |
  python3 -c 'import json,sys; print("%.4f" % json.loads(sys.stdin.readline())["s_per_gwm"])'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
run() {
  local label=$1 out
  out=$(mktemp)
  for _ in $(seq "$rounds"); do
    for b in "${bins[@]}"; do
      for t in 1 2; do echo "$b $t $(one "$b" "$t")" >> "$out"; done
    done
  done
  for b in "${bins[@]}"; do
    for t in 1 2; do
      vals=$(awk -v b="$b" -v t="$t" '$1 == b && $2 == t {print $3}' "$out")
      echo "$label $cfg $b threads $t: $(echo "$vals" | tr '\n' ' ')median $(echo "$vals" | median)"
    done
  done
  rm -f "$out"
}
run idle
"$lwl" bench --config ledm12 --threads 1 --seconds 100000 > /dev/null &
busy=$!
trap 'kill $busy 2>/dev/null || true' EXIT
sleep 1
run busy

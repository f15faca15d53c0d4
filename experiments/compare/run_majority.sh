#!/usr/bin/env bash
# The README's majority comparisons on the paper's own sets (not shipped;
# MAJORITY_DATA names their folder, as for experiments/majority.sh): every
# method for 300 epochs (RRR's majority settings are its defaults with the
# paper's 300 epochs), 3 seeds, one thread per run; and binary nets (a step
# at every hidden node) on the same set. Usage:
#   MAJORITY_DATA=DIR experiments/compare/run_majority.sh 2 [binary]
set -euo pipefail
cd "$(dirname "$0")/../.."
lwl=${LWL:-target/release/lwl}
depth=$1
data=(--train "$MAJORITY_DATA/maj13_${depth}_3_train.txt.gz" --test "$MAJORITY_DATA/maj13_${depth}_3_test.txt.gz")
layers=13$(printf ',26%.0s' $(seq 2 "$depth")),2
if [ "${2:-}" = binary ]; then
  out=experiments/compare/paper_majority${depth}_binary
  extra=(--activation step)
else
  out=experiments/compare/paper_majority${depth}
  extra=()
fi
"$lwl" compare "${data[@]}" --layers "$layers" --seeds 3 --epochs 300 --threads 1 "${extra[@]}" --out "$out" --force \
  > "$out.table.txt"
mv "$out.table.txt" "$out/table.txt"

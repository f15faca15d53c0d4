#!/usr/bin/env bash
# The choices docs/localprop.md measures: the 4-node chain on MNIST 10k/10k,
# 30 iterations, seed 1, one flag changed at a time from the defaults.
# Writes experiments/localprop/ablation_NAME.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
lwl=${LWL:-target/release/lwl}
run() {
  local name=$1; shift
  "$lwl" localprop --mnist --nodes 4 --iter 30 --eval-every 5 --seed 1 --threads 1 --json "$@" \
    > "experiments/localprop/ablation_$name.jsonl"
}
run defaults &
run rho0.5 --rho 0.5
wait
run target_csnt --target csnt &
run balance_free --goal-balance free
wait
run center --center &
run deviation_paper --deviation paper
wait
run weights_barrier --weights barrier &
run old_defaults --target csnt --rho 0.5 --goal-balance free
wait

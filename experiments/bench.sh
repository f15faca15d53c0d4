#!/bin/sh
# The measurements of BENCHMARKS.md in one run: `lwl bench --json` for every
# configuration on one thread and all cores, f64 and f32 storage (5 s each), then the MNIST
# classifier on one thread in other layouts (--block). Stop other jobs first:
# the machine has two cores. `experiments/bench_table.py` makes the tables;
# `experiments/callgrind.sh` the instruction counts.
# Usage: experiments/bench.sh [LWL] > bench.jsonl
set -eu
LWL=${1:-target/release/lwl}
"$LWL" bench --seconds 5 --json
for block in 32 64 128 1000; do
    "$LWL" bench --config mnist --threads 1 --block "$block" --precision f64 --seconds 5 --json
done

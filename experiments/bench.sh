#!/bin/sh
# The measurements of BENCHMARKS.md in one run: `lwl bench --json` (every
# configuration, one thread and all cores, 5 s each), the markdown table, then
# the instruction counts of experiments/callgrind.sh. Stop other jobs first:
# the machine has two cores. Usage: experiments/bench.sh [LWL] > bench.jsonl
set -eu
LWL=${1:-target/release/lwl}
"$LWL" bench --seconds 5 --json

#!/usr/bin/env bash
# f64 against f32 storage of the edge state (issue 6: `--precision f32` is
# kept only if it keeps the paper's results), same binary, same seeds, run
# side by side, one thread per run, two runs at a time:
#   - the paper's depth-2 majority set (from the folder MAJORITY_DATA names:
#     comparison only, not shipped), 5 seeds, EPOCHS epochs;
#   - the README's generated depth-2 circuit, seed 4, 150 epochs;
#   - the MNIST classifier of section 5.5.2, seed 1, MNIST_EPOCHS epochs.
# `experiments/precision_summary.py OUTDIR` makes the table.
# Usage: experiments/precision.sh OUTDIR [EPOCHS] [MNIST_EPOCHS]
set -euo pipefail
out=${1:?usage: precision.sh OUTDIR [EPOCHS] [MNIST_EPOCHS]}
epochs=${2:-200}
mnist_epochs=${3:-10}
lwl=${LWL:-target/release/lwl}
shared=${MAJORITY_DATA:?set MAJORITY_DATA to the folder holding the maj13_N_3 sets of the paper, gzipped}
mkdir -p "$out"
$lwl net complete 13 26 2 > "$out/net_d2.txt"
maj=(--batch 128 --iter 100 --beta 1 --omega 2 --upsilon 1 --margin 0.1 --json --threads 1)
both() { # NAME ARGS...: the f64 and the f32 run of one setting, in parallel
    local name=$1; shift
    $lwl classify "$@" --precision f64 > "$out/${name}_f64.jsonl" &
    $lwl classify "$@" --precision f32 > "$out/${name}_f32.jsonl" &
    wait
}
both mnist --mnist --batch 1000 --iter 100 --margin 0.7 --exempt 0.5% --epochs "$mnist_epochs" --seed 1 --json --threads 1
both gen_d2_s4 --majority 2 --seed 4 --epochs 150 "${maj[@]}"
for seed in 1 2 3 4 5; do
    both "paper_d2_s$seed" --net "$out/net_d2.txt" --train "$shared/maj13_2_3_train.txt.gz" \
        --test "$shared/maj13_2_3_test.txt.gz" --seed "$seed" --epochs "$epochs" "${maj[@]}"
done

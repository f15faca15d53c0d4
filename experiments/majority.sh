#!/usr/bin/env bash
# Majority-gate experiments of section 5.5.1 (issue 4): architecture
# 13 -> 26x(n-1) -> 2, batch 128, 100 iterations per batch, beta 1, Omega 2,
# Upsilon 1, margin 0.1 (0.2 at depth 4), 300 epochs; 5 seeds on the paper's
# own sets (from the folder MAJORITY_DATA names: comparison only, they carry no
# licence and are not shipped) and one seed on a generated circuit per depth.
# Usage: experiments/majority.sh OUTDIR [EPOCHS]
set -euo pipefail
out=${1:?usage: majority.sh OUTDIR [EPOCHS]}
epochs=${2:-300}
lwl=${LWL:-target/release/lwl}
shared=${MAJORITY_DATA:?set MAJORITY_DATA to the folder holding the maj13_N_3 sets of the paper, gzipped}
mkdir -p "$out"
for depth in 2 3 4; do
    margin=0.1
    [ "$depth" = 4 ] && margin=0.2
    layers="13"
    for _ in $(seq 2 "$depth"); do layers="$layers 26"; done
    $lwl net complete $layers 2 > "$out/net_d$depth.txt"
    common=(--batch 128 --iter 100 --beta 1 --omega 2 --upsilon 1 --margin "$margin" --epochs "$epochs" --json)
    for seed in 1 2 3 4 5; do
        $lwl classify --net "$out/net_d$depth.txt" --train "$shared/maj13_${depth}_3_train.txt.gz" \
            --test "$shared/maj13_${depth}_3_test.txt.gz" --seed "$seed" "${common[@]}" > "$out/paper_d${depth}_s$seed.jsonl"
    done
    $lwl classify --majority "$depth" --seed 1 "${common[@]}" > "$out/gen_d${depth}_s1.jsonl"
done

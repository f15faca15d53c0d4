#!/usr/bin/env bash
# The NMF experiments of the README's section "NMF of LEDM instances
# (section 4, Table 1)" and "NMF of letter montages": Table 1
# (LEDM m = 6, 8, 12 with the paper's β and Ω, 20 seeds each, generous
# iteration caps), Fig. 4 (three m = 6 runs), the letter montages (20 seeds,
# Fig. 5 and 6), and m = 16 (10 seeds). One process at a time, each running
# its seeds side by side on all cores (--threads); hours in all.
# Usage: experiments/nmf.sh OUT   then   experiments/nmf_summary.py OUT
set -euo pipefail
out=${1:?usage: experiments/nmf.sh OUT}
lwl=${LWL:-target/release/lwl}
mkdir -p "$out"
"$lwl" nmf --ledm 6  --restarts 20 --seed 1 --iter 1000000  --json > "$out/ledm6.jsonl"
"$lwl" nmf --ledm 8  --restarts 20 --seed 1 --iter 10000000 --json > "$out/ledm8.jsonl"
"$lwl" nmf --ledm 12 --restarts 20 --seed 1 --iter 50000000 --json > "$out/ledm12.jsonl"
"$lwl" nmf --ledm 6  --restarts 3  --seed 1 --iter 1000000  --json --out "$out/ledm6fig" > "$out/ledm6fig.jsonl"
"$lwl" nmf --montage --restarts 20 --seed 1 --json --out "$out/montage" > "$out/montage.jsonl"
"$lwl" nmf --ledm 16 --restarts 10 --seed 1 --iter 100000000 --json > "$out/ledm16.jsonl"

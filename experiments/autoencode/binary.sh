#!/bin/sh
# Binary encoding (section 6.3.1), cap 10^6 iterations, β 0.5, Ω 100, seeds
# 1…20: N = 3, 4 at Δ = 0.4 and N = 5 at Δ = 0.34 (the paper's settings);
# Δ above the eq. 43 bound: N = 3 at 0.6 (bound 0.577), N = 4 at 0.55 (bound
# 0.5); and N = 5 at Δ = 0.4 (bound 0.354), seeds 1…10. One JSON line per
# run, then the summary, in binaryN_wΔ.jsonl; the seeds of each row run side by
# side on all cores, each on one thread. Usage: binary.sh LWL
LWL=$1
run() { "$LWL" autoencode --binary "$1" --width "$2" --restarts "$3" --seed 1 --json > "binary$1_w$2.jsonl"; }
run 3 0.4 20; run 4 0.4 20; run 5 0.34 20; run 3 0.6 20; run 4 0.55 20; run 5 0.4 10

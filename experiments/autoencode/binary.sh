#!/bin/sh
# Binary encoding (section 6.3.1), 20 seeds each, cap 10^6 iterations, β 0.5,
# Ω 100: N = 3, 4 at Δ = 0.4 and N = 5 at Δ = 0.34 (the paper's settings),
# then Δ above the eq. 43 bound: N = 3 at 0.6 (bound 0.577), N = 4 at 0.55
# (bound 0.5). Usage: binary.sh LWL
LWL=$1
run() { "$LWL" autoencode --binary "$1" --width "$2" --restarts 20 --seed 1 --threads 1 --json > "binary$1_w$2.jsonl" 2>> binary.err; }
run 3 0.4; run 4 0.4; run 5 0.34; run 3 0.6; run 4 0.55

#!/usr/bin/env bash
# The README's MNIST comparisons: every method on the same work budget
# (--gwm), 3 seeds, one thread per run, RRR with the paper's MNIST settings
# and the lifted trainer with the poster's (the README's commands).
# Usage: experiments/compare/run_mnist.sh 784,20,10 100   (layers, GWM)
set -euo pipefail
cd "$(dirname "$0")/../.."
lwl=${LWL:-target/release/lwl}
layers=$1; gwm=$2
out=experiments/compare/mnist_${layers//,/_}_gwm$gwm
"$lwl" compare --mnist --layers "$layers" --seeds 3 --gwm "$gwm" --target 0.1 --threads 1 --out "$out" --force \
  --with "rrr: --batch 1000 --exempt 0.5% --margin 0.7" \
  --with "lifted-quadratic: --batch 500 --iter 2" --with "lifted-bregman: --batch 500 --iter 2" \
  > "$out.table.txt"
mv "$out.table.txt" "$out/table.txt"

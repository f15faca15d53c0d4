#!/usr/bin/env bash
# The MNIST runs of the README's "Local propagation" table: the paper's six
# networks (table 1), 10k/10k, seed 1, one thread each. Usage:
#   experiments/localprop/run_mnist.sh NAME...   (NAME: syn_n4g4 asyn_n6g3 …)
set -euo pipefail
cd "$(dirname "$0")/../.."
lwl=${LWL:-target/release/lwl}
for name in "$@"; do
  mode=${name%%_*}; rest=${name#*_n}; nodes=${rest%%g*}; g=${rest#*g}
  goal=last; [ "$g" != "$nodes" ] && goal=middle
  "$lwl" localprop --mnist --nodes "$nodes" --goal "$goal" --schedule "$mode" \
    --seed 1 --threads 1 --json --out "experiments/localprop/mnist_$name" --force \
    > "experiments/localprop/mnist_$name.jsonl"
done

#!/usr/bin/env bash
# lwl sgd with scikit-learn's SGD settings on MNIST 784-20-10 (the paper's
# comparison): learning rate 0.01, Nesterov momentum 0.9, alpha 1e-4, batch
# 1000, 200 epochs (MLPClassifier's max_iter), seeds 1-3.
# Usage: experiments/sgd/mnist_sklearn.sh OUT
set -euo pipefail
out=${1:?usage: mnist_sklearn.sh OUT}
lwl=${LWL:-target/release/lwl}
mkdir -p "$out"
for seed in 1 2 3; do
    "$lwl" sgd --mnist --optimizer sgd --lr 0.01 --batch 1000 --epochs 200 --seed "$seed" --json > "$out/mnist_sgd_seed$seed.jsonl"
done

#!/usr/bin/env bash
# lwl lifted on MNIST (the shipped 10k/10k), the poster's 784-64-64-64-10
# net, seeds 1-3: ReLU with both penalties and tanh with the Bregman
# penalty, batches of 500, 2 sweeps per batch, EPOCHS epochs (default 3);
# and back-propagation (lwl sgd, Adam, batches of 200) on the same net for
# as many epochs. One thread each (THREADS to change; results are the same).
# Usage: experiments/lifted/mnist.sh OUT [EPOCHS]
set -euo pipefail
out=${1:?usage: mnist.sh OUT [EPOCHS]}
epochs=${2:-3}
lwl=${LWL:-target/release/lwl}
threads=${THREADS:-1}
mkdir -p "$out"
for run in bregman quadratic bregman-tanh; do
    penalty=${run%-tanh}
    act=relu
    [ "$run" = bregman-tanh ] && act=tanh
    for seed in 1 2 3; do
        "$lwl" lifted --mnist --layers 784,64,64,64,10 --penalty "$penalty" --activation "$act" --batch 500 \
            --iter 2 --epochs "$epochs" --seed "$seed" --threads "$threads" --json > "$out/mnist_${run}_seed$seed.jsonl"
    done
done
for seed in 1 2 3; do
    "$lwl" sgd --mnist --layers 784,64,64,64,10 --optimizer adam --epochs "$epochs" --seed "$seed" --json \
        > "$out/mnist_adam_seed$seed.jsonl"
done

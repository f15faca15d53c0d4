#!/usr/bin/env bash
# Test error against work for several iterations per batch and batch sizes:
# MNIST 784-20-10, 0.5% exemptions, Δ 0.7, f32, seed 1, one thread, each
# setting run for about the same work (~130 GWM). One JSON log per setting
# in experiments/time_to_accuracy/ (ITER_BATCH.jsonl); summary.py reads them.
# Usage: experiments/time_to_accuracy/run.sh [ITER:BATCH:EPOCHS ...]
set -euo pipefail
cd "$(dirname "$0")"
lwl=${LWL:-../../target/release/lwl}
settings=("$@")
[[ ${#settings[@]} -eq 0 ]] && settings=(100:1000:8 50:1000:16 25:1000:32 10:1000:80 25:500:32)
for s in "${settings[@]}"; do
  IFS=: read -r iter batch epochs <<< "$s"
  out=${iter}_${batch}.jsonl
  [[ -s $out ]] && continue
  "$lwl" classify --mnist --batch "$batch" --iter "$iter" --margin 0.7 --exempt 0.5% --precision f32 \
    --epochs "$epochs" --seed 1 --threads 1 --json > "$out.part" 2> "${out%.jsonl}.log"
  mv "$out.part" "$out"
done

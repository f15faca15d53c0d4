#!/bin/sh
# Generative model of section 6.2 on the MNIST autoencoder in MODEL: classifier
# 10-50-50-50-2, ReLU, β 1, Ω 5, Υ 1, Δ 0.1, fpa 25%, 10^4 genuine and 2·10^4
# fake codes, batches of 500, 1000 iterations per batch; one epoch per chunk
# with --resume until MINUTES have passed. Usage: generate.sh LWL MODEL OUTDIR MINUTES
LWL=$1; MODEL=$2; OUT=$3; MINUTES=${4:-30}
end=$(( $(date +%s) + 60 * MINUTES ))
if [ ! -f "$OUT/progress.json" ]; then
  "$LWL" generate --model "$MODEL" --mnist --seed 1 --epochs 1 --out "$OUT" ${THREADS:+--threads "$THREADS"} --json >> generate.jsonl
fi
while [ "$(date +%s)" -lt "$end" ]; do
  "$LWL" generate --model "$MODEL" --mnist --resume "$OUT" --epochs 1 --out "$OUT" ${THREADS:+--threads "$THREADS"} --json >> generate.jsonl
done

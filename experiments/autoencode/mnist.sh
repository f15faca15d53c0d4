#!/bin/sh
# MNIST autoencoder of section 6.3.2 (784-200-10-200-784, zigmoid, Ω 10, Δ 0.8
# by default (the reference's margin 0.4), β 1, batches of 200 data + 20 codes,
# 50 iterations per batch), one epoch per chunk with --resume until MINUTES of
# wall time have passed; the per-epoch records go to mnist.jsonl. THREADS
# (default: all cores) and WIDTH (e.g. 0.4) are passed on.
# Usage: mnist.sh LWL OUTDIR MINUTES
LWL=$1; OUT=$2; MINUTES=${3:-40}
end=$(( $(date +%s) + 60 * MINUTES ))
if [ ! -f "$OUT/progress.json" ]; then
  "$LWL" autoencode --mnist --seed 1 --epochs 1 --out "$OUT" ${WIDTH:+--width "$WIDTH"} ${THREADS:+--threads "$THREADS"} --json >> mnist.jsonl
fi
while [ "$(date +%s)" -lt "$end" ]; do
  "$LWL" autoencode --mnist --resume "$OUT" --epochs 1 --out "$OUT" ${THREADS:+--threads "$THREADS"} --json >> mnist.jsonl
done

#!/usr/bin/env bash
# The README's teacher table: `lwl compare --teacher` on 50 fresh teachers
# (seeds 101–150; RRR's zigmoid width 4 and Ω 4 were chosen on seeds 1–10),
# each method's own student, then every student ReLU. One thread per run.
# Writes experiments/compare/teacher/{own,relu}/ and {own,relu}.txt;
# equal_work.py reads them.
set -euo pipefail
cd "$(dirname "$0")"
lwl=${LWL:-../../../target/release/lwl}
"$lwl" compare --teacher --seeds 50 --seed 101 --threads 1 --out own --force > own.txt
"$lwl" compare --teacher --activation relu --seeds 50 --seed 101 --threads 1 --with "rrr: --omega 2" \
  --out relu --force > relu.txt
python3 equal_work.py

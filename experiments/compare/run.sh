#!/usr/bin/env bash
# The README's comparison tables: `lwl compare` with every method at its
# defaults, 3 seeds, one thread per run. Usage:
#   experiments/compare/run.sh NAME   (majority2 majority3 mnist_784_20_10 mnist_784_64_64_64_10)
# Writes experiments/compare/NAME/ (compare.png, records.jsonl,
# summary.json) and NAME/table.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
lwl=${LWL:-target/release/lwl}
for name in "$@"; do
  case $name in
    majority2) data=(--majority 2) ;;
    majority3) data=(--majority 3) ;;
    mnist_784_20_10) data=(--mnist --layers 784,20,10) ;;
    mnist_784_64_64_64_10) data=(--mnist --layers 784,64,64,64,10) ;;
    *) echo "unknown comparison $name" >&2; exit 2 ;;
  esac
  out=experiments/compare/$name
  "$lwl" compare "${data[@]}" --seeds 3 --threads 1 --out "$out" --force > "$out.table.txt"
  mv "$out.table.txt" "$out/table.txt"
done

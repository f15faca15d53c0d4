#!/usr/bin/env python3
"""Tables of experiments/precision.sh: f64 and f32 storage side by side.
Usage: precision_summary.py OUTDIR"""
import json
import os
import sys


def load(path):
    if not os.path.exists(path):
        return []
    return [json.loads(l) for l in open(path) if l.strip() and '"final"' not in l]


out = sys.argv[1]
print("| run | precision | epochs | epoch train_err first 0 | final train_err | test_err, last 10 epochs: mean [min, max] | seconds (1 thread) |")
print("|---|---|---|---|---|---|---|")
names = ["gen_d2_s4"] + [f"paper_d2_s{s}" for s in range(1, 6)]
for name in names:
    for prec in ("f64", "f32"):
        recs = load(f"{out}/{name}_{prec}.jsonl")
        if not recs:
            continue
        zero = next((r["epoch"] for r in recs if r["train_err"] == 0), "–")
        t = [r["test_err"] for r in recs[-10:]]
        print(f"| {name} | {prec} | {len(recs)} | {zero} | {recs[-1]['train_err']:.4f} | "
              f"{sum(t) / len(t):.4f} [{min(t):.4f}, {max(t):.4f}] | {recs[-1]['seconds']:.0f} |")
print()
a, b = load(f"{out}/mnist_f64.jsonl"), load(f"{out}/mnist_f32.jsonl")
print("| epoch | GWM | f64 train_err | f32 train_err | f64 test_err | f32 test_err | f64 s | f32 s |")
print("|---|---|---|---|---|---|---|---|")
for ra, rb in zip(a, b):
    if ra["epoch"] in (1, 2, 5, 10, 15, 20) or ra is a[-1]:
        print(f"| {ra['epoch']} | {ra['gwms']:.1f} | {ra['train_err']:.4f} | {rb['train_err']:.4f} | "
              f"{ra['test_err']:.4f} | {rb['test_err']:.4f} | {ra['seconds']:.0f} | {rb['seconds']:.0f} |")

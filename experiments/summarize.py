#!/usr/bin/env python3
"""Summarise `lwl classify --json` logs: first epoch with train_err 0, and
test_err (mean, min, max) over the last 10 epochs. Usage: summarize.py FILE..."""
import json
import sys

for path in sys.argv[1:]:
    recs = [json.loads(l) for l in open(path) if '"final"' not in l]
    if not recs:
        continue
    zero = next((r["epoch"] for r in recs if r["train_err"] == 0), None)
    last = recs[-10:]
    t = [r["test_err"] for r in last]
    print(f"{path}: epochs {len(recs)}, train_err=0 at {zero}, final train_err {recs[-1]['train_err']:.4f}, "
          f"test_err last 10: mean {sum(t) / len(t):.4f} [{min(t):.4f}, {max(t):.4f}], "
          f"{recs[-1]['gwms']:.1f} GWM, {recs[-1]['seconds']:.0f} s")

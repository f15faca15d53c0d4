#!/usr/bin/env python3
"""The README's local propagation table from the logs of run_mnist.sh and
ablation.sh: per run the test accuracy after the last iteration, the best
record (its iteration), the readout on the random initial chain, the raw-pixel
readout, GWM and seconds."""
import glob
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
print("| run | test acc. (last) | best test acc. (iter) | iteration 0 | raw pixels | train acc. | goal_err | GWM | s |")
print("|---|---|---|---|---|---|---|---|---|")
for path in sorted(glob.glob(os.path.join(here, "*.jsonl"))):
    recs = [json.loads(l) for l in open(path) if l.strip()]
    recs = [r for r in recs if not r.get("final")]
    if not recs:
        continue
    last, first = recs[-1], recs[0]
    best = min(recs[1:] or recs, key=lambda r: r["test_err"])
    pct = lambda e: f"{100 * (1 - e):.2f}%"
    goal = last["goal_err"]
    print(
        f"| {os.path.basename(path)[:-6]} (iter {last['iter']}) | {pct(last['test_err'])} | "
        f"{pct(best['test_err'])} ({best['iter']}) | {pct(first['test_err'])} | {pct(last['raw_test_err'])} | "
        f"{pct(last['train_err'])} | {goal if goal is None else f'{goal:.3f}'} | {last['gwms']:.0f} | {last['seconds']:.0f} |"
    )

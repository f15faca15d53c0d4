#!/usr/bin/env python3
"""Summarise `lwl nmf --restarts N --json` logs (experiments/nmf.sh): per file
the success rate and the mean and median seconds, GWMs and iterations per
success, and the distribution of the final recon_err over the runs.
Usage: nmf_summary.py OUT"""
import json
import os
import sys

out = sys.argv[1]
for name in sorted(os.listdir(out)):
    if not name.endswith(".jsonl"):
        continue
    recs = [json.loads(l) for l in open(os.path.join(out, name))]
    runs = [r for r in recs if "seed" in r]
    final = next((r for r in recs if r.get("final")), None)
    if not runs:
        continue
    err = sorted(r["recon_err"] for r in runs)
    line = f"{name}: {sum(r['success'] for r in runs)}/{len(runs)} runs succeeded"
    if final and final["successes"]:
        line += (f"; per success: mean {final['mean_seconds']:.2f} s, {final['mean_gwms']:.3f} GWM, "
                 f"{final['mean_iters']:.0f} iterations; median {final['median_seconds']:.2f} s, "
                 f"{final['median_gwms']:.3f} GWM, {final['median_iters']:.0f} iterations")
    if not final:
        line += " (unfinished)"
    mid = err[len(err) // 2] if len(err) % 2 else 0.5 * (err[len(err) // 2 - 1] + err[len(err) // 2])
    line += f"; recon_err min {err[0]:.4g} median {mid:.4g} max {err[-1]:.4g}"
    print(line)

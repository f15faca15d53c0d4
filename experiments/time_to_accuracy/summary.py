#!/usr/bin/env python3
"""Per setting of run.sh: the GWM and seconds of the first epoch with test
error at or below the target (7.47%, scikit-learn SGD's mean in the issue),
and the test error after about 64 and 127 GWM."""
import glob
import json
import os

TARGET = 0.0747
here = os.path.dirname(os.path.abspath(__file__))
print(f"{'iter':>5} {'batch':>6} {'GWM to 7.47%':>13} {'s to 7.47%':>11} {'err @64 GWM':>12} {'err @127 GWM':>13}")
for f in sorted(glob.glob(os.path.join(here, "*_*.jsonl")), key=lambda p: [int(x) for x in os.path.basename(p)[:-6].split("_")]):
    it, batch = os.path.basename(f)[:-6].split("_")
    recs = [json.loads(l) for l in open(f)]
    recs = [r for r in recs if "epoch" in r and not r.get("final")]
    hit = next((r for r in recs if r["test_err"] <= TARGET), None)
    at = lambda g: next((r["test_err"] for r in recs if r["gwms"] >= g - 0.5), None)
    fmt = lambda v, d: "-" if v is None else f"{v:.{d}f}"
    print(f"{it:>5} {batch:>6} {fmt(hit and hit['gwms'], 1):>13} {fmt(hit and hit['seconds'], 0):>11} "
          f"{fmt(at(63.5), 4):>12} {fmt(at(127.0), 4):>13}")

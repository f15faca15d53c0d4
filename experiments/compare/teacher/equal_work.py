#!/usr/bin/env python3
"""RRR's test RMSE epoch by epoch (mean over the 50 teachers, with its GWM),
and on how many teachers it beats RMSProp and implicit BCD at the end; from
the records of run.sh."""
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
for d in ["own", "relu"]:
    recs = [json.loads(l) for l in open(os.path.join(here, d, "records.jsonl"))]
    rrr = {}
    for r in recs:
        if r["method"] == "rrr":
            rrr.setdefault(r["seed"], []).append(r)
    rms = {r["seed"]: r for r in recs if r["method"] == "rmsprop"}
    bcd = {r["seed"]: r for r in recs if r["method"] == "implicit"}
    seeds = sorted(rrr)
    beats = lambda other, key: sum(rrr[s][-1]["test_rmse"] < other[s][key] for s in seeds)
    print(f"{d}: RRR beats RMSProp on {beats(rms, 'rmsprop_test_rmse')} of {len(seeds)} teachers, "
          f"implicit BCD on {beats(bcd, 'bcd_test_rmse')}")
    for e in [1, 2, 4, 10, 20]:
        v = [rrr[s][e - 1]["test_rmse"] for s in seeds]
        print(f"  epoch {e:2}: {rrr[seeds[0]][e - 1]['gwms']:.3f} GWM, test RMSE {sum(v) / len(v):.4f}")

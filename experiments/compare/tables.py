#!/usr/bin/env python3
"""docs/compare.md's tables from the summaries `lwl compare --out` wrote:
  experiments/compare/tables.py majority2 majority3 …"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
for name in sys.argv[1:]:
    s = json.load(open(os.path.join(here, name, "summary.json")))
    target = s["settings"].get("target")
    head = "| method | test error (mean ± sd) | train error | GWM | s | constraint gap | feasible |"
    rule = "|---|---|---|---|---|---|---|"
    if target is not None:
        head += f" GWM, s to test error {target} (seeds) |"
        rule += "---|"
    print(f"{name}:\n\n{head}\n{rule}")
    for r in s["methods"]:
        if "test_err" not in r:
            print(f"| {r['method']} | failed: {r.get('failed', '?')} |")
            continue
        gap = f"{r['gap']:.3g} ({r['gap_name']})" if "gap" in r else "–"
        feasible = {True: "yes", False: "no", None: "–"}[r.get("feasible")]
        row = (f"| {r['method']} | {r['test_err']:.4f} ± {r['test_err_sd']:.4f} | {r['train_err']:.4f} | "
               f"{r['gwms']:.3f} | {r['seconds']:.1f} | {gap} | {feasible} |")
        if target is not None:
            n = r.get("target_reached", 0)
            row += (f" {r['target_gwms']:.1f}, {r['target_seconds']:.0f} ({n}/{r['seeds']}) |" if n
                    else f" not reached (0/{r['seeds']}) |")
        print(row)
    print()

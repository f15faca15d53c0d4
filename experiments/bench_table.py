#!/usr/bin/env python3
"""Markdown table of `lwl bench --json` lines (stdin or files) for BENCHMARKS.md."""
import fileinput
import json

print("| config | precision | threads | batch / block | s/GWM | weight-multiplies/s | state MB | RMW GB/s | floor s/GWM | ratio to floor |")
print("|---|---|---|---|---|---|---|---|---|---|")
for line in fileinput.input():
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    floor = r.get("floor_s_per_gwm")
    cells = [
        r["config"],
        r.get("precision", "f64"),
        str(r["threads"]),
        f'{r["batch"]} / {r["block"]}',
        f'{r["s_per_gwm"]:.2f}',
        f'{r["wm_per_s"]:.2e}',
        f'{r["state_bytes"] / 1e6:.1f}',
        f'{r["rmw_gb_per_s"]:.1f}' if "rmw_gb_per_s" in r else "–",
        f"{floor:.2f}" if floor else "– (in cache)",
        f'{r["floor_ratio"]:.2f}' if floor else "–",
    ]
    print("| " + " | ".join(cells) + " |")

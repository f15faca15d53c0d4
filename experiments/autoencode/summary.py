#!/usr/bin/env python3
"""Markdown rows of the per-epoch records of mnist.sh (lwl autoencode --json)
or generate.sh (lwl generate --json). Usage: summary.py LOG.jsonl"""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
epochs = [r for r in rows if "epoch" in r and not r.get("final")]
if epochs and "data_err" in epochs[0]:
    print("| epoch | GWM | data_err | code_err | test_data_err | RRR_err |")
    print("|---|---|---|---|---|---|")
    for r in epochs:
        print(f'| {r["epoch"]} | {r["gwms"]:.0f} | {r["data_err"]:.4f} | {r["code_err"]:.4f} | '
              f'{r["test_data_err"]:.4f} | {r["rrr_err"]:.2f} |')
else:
    print("| epoch | GWM | fp_batch | tn_batch | fp_train | tn_train | fp_test | tn_test |")
    print("|---|---|---|---|---|---|---|---|")
    for r in epochs:
        print(f'| {r["epoch"]} | {r["gwms"]:.0f} | ' + " | ".join(
            f'{r[k]:.3f}' for k in ["fp_batch", "tn_batch", "fp_train", "tn_train", "fp_test", "tn_test"]) + " |")

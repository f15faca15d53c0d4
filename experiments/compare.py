#!/usr/bin/env python3
"""Two `lwl` binaries side by side: for each configuration, thread count
and precision, `lwl bench --json` of the old binary, then the new one,
alternating ROUNDS times (the machine is shared and noisy: compare the
pair of one round, and the medians). Prints a markdown table of median
s/GWM and the speed-up.

Usage: experiments/compare.py OLD NEW [--rounds N] [--seconds S]
       [--configs mnist,majority,...] [--threads 1,2] [--precision f64,f32]
(a configuration without f32 storage, ledm12, is measured in f64 only).
"""
import argparse
import json
import statistics
import subprocess


def bench(binary, config, threads, precision, seconds):
    cmd = [binary, "bench", "--config", config, "--threads", str(threads), "--seconds", str(seconds), "--json"]
    if config != "ledm12":
        cmd += ["--precision", precision]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["s_per_gwm"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--configs", default="mnist,majority,autoencoder,ledm12")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--precision", default="f64")
    a = ap.parse_args()
    print("| config | precision | threads | old s/GWM | new s/GWM | speed-up | rounds (old → new) |")
    print("|---|---|---|---|---|---|---|")
    for config in a.configs.split(","):
        for precision in a.precision.split(","):
            if config == "ledm12" and precision != "f64":
                continue
            for threads in a.threads.split(","):
                pairs = [
                    (bench(a.old, config, threads, precision, a.seconds), bench(a.new, config, threads, precision, a.seconds))
                    for _ in range(a.rounds)
                ]
                old = statistics.median(p[0] for p in pairs)
                new = statistics.median(p[1] for p in pairs)
                rounds = ", ".join(f"{o:.2f} → {n:.2f}" for o, n in pairs)
                print(f"| `{config}` | {precision} | {threads} | {old:.2f} | {new:.2f} | {old / new:.2f}× | {rounds} |", flush=True)


if __name__ == "__main__":
    main()

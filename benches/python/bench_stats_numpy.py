#!/usr/bin/env python3
"""Side by side: tcp-stats' summary vs numpy on the same 10M samples.

    python3 benches/python/bench_stats_numpy.py [--n 10000000] [--reps 7]

Generates timing-like samples (lognormal, fixed seed), writes them as
little-endian f64, builds and runs the release example
`tcp-stats/examples/summary_bench.rs` on that file, and times numpy on the
same array in this process. Both sides time only the computation (no I/O),
repeat it, and report the median. The results are cross-checked (1e-9).

numpy "basic": mean, std(ddof=1), percentile([50, 95, 99]), min, max.
numpy "full": basic + the median absolute deviation, i.e. everything the
Rust summary computes (its t interval of the mean is O(1) on top).
Needs numpy only.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def numpy_basic(x):
    return x.mean(), x.std(ddof=1), np.percentile(x, [50, 95, 99]), x.min(), x.max()


def numpy_full(x):
    mean, sd, p, mn, mx = numpy_basic(x)
    mad = np.median(np.abs(x - p[0]))
    return mean, sd, p, mn, mx, mad


def time_it(fn, x, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn(x)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    x = rng.lognormal(mean=np.log(1000.0), sigma=0.25, size=args.n)

    cargo = ["cargo", "build", "--release", "-p", "tcp-stats", "--example", "summary_bench",
             "--message-format=json"]
    build = subprocess.run(cargo, cwd=ROOT, check=True, capture_output=True, text=True)
    exe = None
    for line in build.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and \
                msg["target"]["name"] == "summary_bench":
            exe = msg["executable"]
    if exe is None:
        sys.exit("could not find the summary_bench executable")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "samples.f64")
        x.astype("<f8").tofile(path)
        basic_med, basic_times, basic = time_it(numpy_basic, x, args.reps)
        full_med, full_times, full = time_it(numpy_full, x, args.reps)
        run = subprocess.run([exe, path, str(args.reps)], check=True, capture_output=True, text=True)
    rust = json.loads(run.stdout)
    s = rust["summary"]

    mean, sd, p, mn, mx, mad = full
    pairs = [("mean", s["mean"], mean), ("std_dev", s["std_dev"], sd), ("p50", s["p50"], p[0]),
             ("p95", s["p95"], p[1]), ("p99", s["p99"], p[2]), ("min", s["min"], mn),
             ("max", s["max"], mx), ("mad", s["mad"], mad)]
    worst = max(abs(a - b) / abs(b) for _, a, b in pairs)
    for name, a, b in pairs:
        if abs(a - b) > 1e-9 * abs(b):
            sys.exit(f"mismatch in {name}: rust {a!r} numpy {b!r}")

    rust_med = rust["median_s"]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"python {platform.python_version()}, numpy {np.__version__}")
    print(f"n = {args.n:,} lognormal samples, {args.reps} repetitions, median wall time (computation only)")
    print(f"  numpy basic (mean, std, p50/p95/p99, min, max): {basic_med * 1e3:9.1f} ms")
    print(f"  numpy full  (basic + MAD):                      {full_med * 1e3:9.1f} ms")
    print(f"  tcp-stats summarize (all of full + t CI):       {rust_med * 1e3:9.1f} ms")
    print(f"  speed-up vs numpy basic: {basic_med / rust_med:.2f}x; vs numpy full: {full_med / rust_med:.2f}x")
    print(f"  results agree to {worst:.1e} relative (checked <= 1e-9)")
    print(json.dumps({"n": args.n, "reps": args.reps, "numpy_basic_s": basic_med, "numpy_full_s": full_med,
                      "rust_s": rust_med, "rust_times_s": rust["times_s"], "numpy_basic_times_s": basic_times,
                      "numpy_full_times_s": full_times}))


if __name__ == "__main__":
    main()

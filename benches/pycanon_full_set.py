#!/usr/bin/env python3
"""Time pyCANON's full privacy-model set on one file, for the peer comparison.

"Full set" is what pyCANON's own report (pycanon.report.base.get_report_values) computes:
k-anonymity, (alpha,k)-anonymity, distinct l-diversity, entropy l-diversity, recursive
(c,l)-diversity, basic and enhanced beta-likeness, delta-disclosure and t-closeness, all
with gen=True. Each function is called once per repetition exactly as a user would call
it (each recomputes its own equivalence classes: pyCANON has no shared class cache).
CSV parsing is timed separately. Both wall-clock and process CPU seconds are recorded (CPU
time is less affected by other load on a shared machine; pyCANON is single-threaded).
Prints one JSON object.

Usage (from the repository root):
    python3 benches/pycanon_full_set.py datasets/adult/adult.csv \
        --qi age sex race --sa occupation --repeat 3
"""

import argparse
import json
import os
import platform
import resource
import statistics
import time
import warnings

import pandas as pd
import pycanon
from pycanon import anonymity

METRICS = [
    ("k_anonymity", lambda d, qi, sa: anonymity.k_anonymity(d, qi)),
    ("alpha_k_anonymity", lambda d, qi, sa: anonymity.alpha_k_anonymity(d, qi, sa)),
    ("l_diversity", lambda d, qi, sa: anonymity.l_diversity(d, qi, sa)),
    ("entropy_l_diversity", lambda d, qi, sa: anonymity.entropy_l_diversity(d, qi, sa)),
    ("recursive_c_l_diversity", lambda d, qi, sa: anonymity.recursive_c_l_diversity(d, qi, sa)),
    ("basic_beta_likeness", lambda d, qi, sa: anonymity.basic_beta_likeness(d, qi, sa)),
    ("enhanced_beta_likeness", lambda d, qi, sa: anonymity.enhanced_beta_likeness(d, qi, sa)),
    ("delta_disclosure", lambda d, qi, sa: anonymity.delta_disclosure(d, qi, sa)),
    ("t_closeness", lambda d, qi, sa: anonymity.t_closeness(d, qi, sa)),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--qi", nargs="+", required=True)
    ap.add_argument("--sa", nargs="+", required=True)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    t0 = time.perf_counter()
    data = pd.read_csv(args.file, sep=";")
    read_s = time.perf_counter() - t0

    runs = []
    values = {}
    for _ in range(args.repeat):
        secs = {}
        cpu = {}
        for name, fn in METRICS:
            t, c = time.perf_counter(), time.process_time()
            v = fn(data, args.qi, args.sa)
            secs[name] = time.perf_counter() - t
            cpu[name] = time.process_time() - c
            values[name] = str(v)
        secs["total"] = sum(secs.values())
        cpu["total"] = sum(cpu.values())
        runs.append((secs, cpu))

    median = {k: round(statistics.median(r[0][k] for r in runs), 3) for k in runs[0][0]}
    median_cpu = {k: round(statistics.median(r[1][k] for r in runs), 3) for k in runs[0][1]}
    print(json.dumps({
        "file": args.file,
        "rows": len(data),
        "n_classes": int(data.groupby(args.qi).ngroups),
        "qi": args.qi,
        "sa": args.sa,
        "pycanon": pycanon.__version__,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "repeat": args.repeat,
        "read_csv_seconds": round(read_s, 3),
        "median_wall_seconds": median,
        "median_cpu_seconds": median_cpu,
        "total_wall_seconds_each_run": [round(r[0]["total"], 3) for r in runs],
        "load_average_at_end": os.getloadavg(),
        "cpus": os.cpu_count(),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "values": values,
    }, indent=2))


if __name__ == "__main__":
    main()

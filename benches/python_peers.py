#!/usr/bin/env python3
"""reident's Python API against the Python peers, on the same data, in one run.

One process times, on inputs it generates with the benchmark generators of
this folder (make_adult_replica.py, make_linkage_data.py, `reident synth` +
make_stylometry_corpus.py):

* metrics   -- reident.privacy_metrics (the whole metric set of `reident
               metrics`) vs pyCANON's k_anonymity + l_diversity on the same
               file (pandas read_csv included in both columns);
* risks     -- reident.risks vs Anonymeter's SinglingOutEvaluator
               (univariate), LinkabilityEvaluator and InferenceEvaluator,
               same n_attacks, same column split;
* linkage   -- reident.link (Fellegi-Sunter) vs Splink 5 on DuckDB
               (benches/splink_link.py, run as a subprocess; its own
               in-script seconds are used, so Python start-up and imports
               are left out);
* stylometry-- reident.stylometry (Burrows' Delta, MFW 100) vs faststylometry
               (benches/faststylometry_bench.py, subprocess, in-script seconds);
* overhead  -- the Python API against the `reident` binary (subprocess,
               whole process) on the same files above 100k rows: metrics of
               the adult replica and the Fellegi-Sunter linkage.

Every timing is wall-clock seconds, best of --repeat runs for reident and the
binary (runs interleaved), one run for the peers (they are the slow side).
Prints a Markdown table and writes all figures as JSON (--json).

Usage (the bench venv of benches/README.md section 8):

    V=$CARGO_TARGET_DIR/bench-venv
    $V/bin/python benches/python_peers.py --work /work/pypeers --cli $CARGO_TARGET_DIR/release/reident \
        --json benches/python_peers.json
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

import reident

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ADULT_QI = ["age", "sex", "race"]
ADULT_SA = ["occupation"]
FIELDS = ("first_name:jw(0.92,0.8)+tf;surname:jw(0.92,0.8)+tf;dob:date(1,31);gender:exact;"
          "city:exact+tf;zip:exact;email:jw(0.88)")
LINK_FLAGS = dict(fields=FIELDS, block="first_name & surname; dob; zip & surname",
                  train_block="first_name & surname; dob", deterministic="first_name & surname & dob",
                  recall=0.6, u_pairs=1_000_000, seed=42, threshold=0.0, assignment="none", truth="id",
                  explain=0)


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - t0, value


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True, **kw)


def make_inputs(work: Path, cli: Path, rows: int, link_n: int) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    adult = work / f"adult_{rows}.csv"
    if not adult.exists():
        run([py, HERE / "make_adult_replica.py", "--rows", rows, "--out", adult])
    link = work / f"link_{link_n}"
    if not (link / "release.csv").exists():
        run([py, HERE / "make_linkage_data.py", "--n", link_n, "--out", link])
    stylo = work / "stylo"
    if not (stylo / "test.csv").exists():
        run([cli, "synth", "--out", stylo / "synth", "--users", 600, "--seed", 7, "--activity", 1.5,
             "--format", "ndjson"])
        run([py, HERE / "make_stylometry_corpus.py", stylo])
    # Anonymeter's three tables: disjoint slices of the replica (the release
    # plays a synthetic dataset drawn from the same distribution).
    risk = work / "risk"
    if not (risk / "control.csv").exists():
        risk.mkdir(exist_ok=True)
        frame = pd.read_csv(adult, sep=";", dtype=str, nrows=22_000)
        frame.iloc[:10_000].to_csv(risk / "original.csv", index=False)
        frame.iloc[10_000:20_000].to_csv(risk / "release.csv", index=False)
        frame.iloc[20_000:22_000].to_csv(risk / "control.csv", index=False)
    return {"adult": adult, "link": link, "stylo": stylo, "risk": risk}


def bench_metrics(adult: Path, repeat: int) -> dict:
    from pycanon import anonymity

    def ours():
        return reident.privacy_metrics(adult, quasi_identifiers=ADULT_QI, sensitive=ADULT_SA, delimiter=";",
                                       progress=False)

    def theirs():
        data = pd.read_csv(adult, sep=";")
        return anonymity.k_anonymity(data, ADULT_QI), anonymity.l_diversity(data, ADULT_QI, ADULT_SA)

    best = min(timed(ours)[0] for _ in range(repeat))
    m = ours()
    peer_s, (k, l) = timed(theirs)
    return {"reident_s": best, "pycanon_s": peer_s, "k": [m.k, int(k)],
            "l_distinct": [m.to_dict()["sensitive"][0]["l_distinct"], int(l)]}


def bench_risks(risk: Path, n_attacks: int) -> dict:
    from anonymeter.evaluators import InferenceEvaluator, LinkabilityEvaluator, SinglingOutEvaluator

    a, b = ["age", "sex", "race", "marital-status"], ["education", "native-country", "workclass"]
    aux, secret = ["age", "sex", "race", "marital-status", "education"], "salary-class"

    def ours():
        return reident.risks(risk / "original.csv", risk / "release.csv", risk / "control.csv",
                             numeric=["age"], n_attacks=n_attacks, link_a=a, link_b=b, n_neighbors=10,
                             secret=[secret], aux=aux, progress=False)

    def theirs():
        ori, syn, control = (pd.read_csv(risk / f"{n}.csv") for n in ("original", "release", "control"))
        out = {}
        so = SinglingOutEvaluator(ori=ori, syn=syn, control=control, n_attacks=n_attacks)
        so.evaluate(mode="univariate")
        out["singling_out_univariate"] = so.risk().value
        li = LinkabilityEvaluator(ori=ori, syn=syn, control=control, n_attacks=n_attacks, aux_cols=(a, b),
                                  n_neighbors=10)
        li.evaluate(n_jobs=2)
        out["linkability"] = li.risk().value
        inf = InferenceEvaluator(ori=ori, syn=syn, control=control, aux_cols=aux, secret=secret,
                                 n_attacks=n_attacks)
        inf.evaluate(n_jobs=2)
        out["inference"] = inf.risk().value
        return out

    ours_s, r = timed(ours)
    peer_s, peer = timed(theirs)
    d = r.to_dict()
    ours_risks = {k: d[k]["estimate"]["risk"] for k in ("singling_out_univariate", "singling_out_multivariate",
                                                         "linkability") if d.get(k)}
    ours_risks.update({f"inference:{i['secret']}": i["estimate"]["risk"] for i in d.get("inference") or []})
    return {"reident_s": ours_s, "anonymeter_s": peer_s, "anonymeter_risks": peer, "reident_risks": ours_risks}


def bench_linkage(link: Path, repeat: int) -> dict:
    def ours():
        return reident.link(link / "original.csv", link / "release.csv", progress=False, **LINK_FLAGS)

    best = min(timed(ours)[0] for _ in range(repeat))
    scores = ours().scores
    out = run([sys.executable, HERE / "splink_link.py", "--original", link / "original.csv",
               "--release", link / "release.csv"]).stdout
    splink = json.loads(out.strip().splitlines()[-1])
    return {"reident_s": best, "splink_s": splink["seconds"],
            "f1": [scores.get("f1"), splink["f1"]]}


def bench_stylometry(stylo: Path, repeat: int) -> dict:
    def ours():
        return reident.stylometry(stylo / "train.csv", stylo / "test.csv", features="mfw:100",
                                  classifier="burrows", profile="subcorpus", top_n=1, progress=False)

    best = min(timed(ours)[0] for _ in range(repeat))
    report = stylo / "reident.json"
    report.write_text(ours().to_json())
    out = run([sys.executable, HERE / "faststylometry_bench.py", stylo, "--compare", report]).stdout
    fs = json.loads(out.strip().splitlines()[-1])
    return {"reident_s": best, "faststylometry_s": fs["seconds_total"],
            "same_prediction": [fs.get("same_prediction_as_reident"), fs["test_documents"]]}


def bench_overhead(cli: Path, inputs: dict, repeat: int) -> dict:
    adult, link = inputs["adult"], inputs["link"]
    cases = {
        "metrics": (
            lambda: reident.privacy_metrics(adult, quasi_identifiers=ADULT_QI, sensitive=ADULT_SA,
                                            delimiter=";", progress=False),
            [cli, "metrics", "--data", adult, "--qi", ",".join(ADULT_QI), "--sensitive", ",".join(ADULT_SA),
             "--delimiter", ";", "--format", "json"],
        ),
        "linkage": (
            lambda: reident.link(link / "original.csv", link / "release.csv", progress=False, **LINK_FLAGS),
            [cli, "link", "--original", link / "original.csv", "--release", link / "release.csv",
             "--fields", FIELDS, "--block", LINK_FLAGS["block"], "--train-block", LINK_FLAGS["train_block"],
             "--deterministic", LINK_FLAGS["deterministic"], "--recall", "0.6", "--u-pairs", "1000000",
             "--seed", "42", "--threshold", "0", "--assignment", "none", "--truth", "id", "--explain", "0"],
        ),
    }
    out = {}
    for name, (api, argv) in cases.items():
        py_times, cli_times = [], []
        for _ in range(repeat):  # interleaved, so load changes hit both
            py_times.append(timed(api)[0])
            cli_times.append(timed(run, argv)[0])
        out[name] = {"python_s": min(py_times), "cli_s": min(cli_times),
                     "overhead": min(py_times) / min(cli_times) - 1.0,
                     "python_all": py_times, "cli_all": cli_times}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True, type=Path, help="folder for the generated inputs")
    ap.add_argument("--cli", required=True, type=Path, help="the reident binary (release build)")
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows of the adult replica")
    ap.add_argument("--link-n", type=int, default=100_000, help="people in the linkage files")
    ap.add_argument("--n-attacks", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=["metrics", "risks", "linkage", "stylometry", "overhead"])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    t0 = time.perf_counter()
    inputs = make_inputs(args.work, args.cli, args.rows, args.link_n)
    print(f"inputs ready in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    results = {"rows": args.rows, "link_n": args.link_n, "n_attacks": args.n_attacks, "repeat": args.repeat,
               "python": sys.version.split()[0], "reident": reident.__version__}
    steps = {
        "metrics": lambda: bench_metrics(inputs["adult"], args.repeat),
        "risks": lambda: bench_risks(inputs["risk"], args.n_attacks),
        "linkage": lambda: bench_linkage(inputs["link"], args.repeat),
        "stylometry": lambda: bench_stylometry(inputs["stylo"], args.repeat),
        "overhead": lambda: bench_overhead(args.cli, inputs, args.repeat),
    }
    for name in args.only:
        t = time.perf_counter()
        results[name] = steps[name]()
        print(f"{name}: {json.dumps(results[name])} ({time.perf_counter() - t:.1f} s)", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")

    print("| task | peer | reident (Python API) s | peer s | peer / reident |")
    print("|---|---|---:|---:|---:|")
    for name, peer in (("metrics", "pycanon"), ("risks", "anonymeter"), ("linkage", "splink"),
                       ("stylometry", "faststylometry")):
        if name in results:
            r = results[name]
            print(f"| {name} | {peer} | {r['reident_s']:.2f} | {r[peer + '_s']:.2f} | "
                  f"{r[peer + '_s'] / r['reident_s']:.1f} |")
    if "overhead" in results:
        print()
        print("| input | Python API s | CLI s | overhead |")
        print("|---|---:|---:|---:|")
        for name, r in results["overhead"].items():
            print(f"| {name} | {r['python_s']:.3f} | {r['cli_s']:.3f} | {100 * r['overhead']:+.1f}% |")


if __name__ == "__main__":
    main()

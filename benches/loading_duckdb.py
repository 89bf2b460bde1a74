"""DuckDB's parse + group-by on the file `reident metrics` loads: the peer figure for
loading speed (issue #18, must-have 5). Prints one JSON line: seconds (in-script,
connect to result), number of classes, rows.

    python benches/loading_duckdb.py --data adult_10m.csv --qi sex,age,... [--threads 2]

CSV is read with every column as text (`all_varchar`, as reident reads it);
Parquet with its own types. Also writes a Parquet copy with `--to-parquet OUT`.
"""

import argparse
import json
import time

import duckdb


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--qi", required=True, help="comma-separated columns to group by")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--to-parquet", help="write the CSV as Parquet here and exit")
    a = p.parse_args()
    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    if a.data.endswith(".parquet"):
        source = f"read_parquet('{a.data}')"
    else:
        source = f"read_csv('{a.data}', all_varchar = true, header = true)"
    if a.to_parquet:
        con.execute(f"COPY (SELECT * FROM {source}) TO '{a.to_parquet}' (FORMAT parquet)")
        return
    cols = ", ".join(f'"{c}"' for c in a.qi.split(","))
    t0 = time.perf_counter()
    classes, rows = con.execute(
        f"SELECT count(*), sum(n) FROM (SELECT {cols}, count(*) AS n FROM {source} GROUP BY {cols})"
    ).fetchone()
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": round(seconds, 3), "classes": classes, "rows": int(rows)}))


if __name__ == "__main__":
    main()

"""pandas' read_csv rate on Binance kline zips, the reference for bench/ingest.ts.

    /usr/bin/python3 bench/pandas_read_csv.py <archive dir> [--runs N]

Prints one JSON object: {"rows": n, "seconds": [wall, one per run], "cpuSeconds": [...], "pandas": version}. Each run reads every
<SYM>-1m-*.zip in the folder with read_csv (pandas inflates the zip itself), as alpha15 does end to end.
"""
import argparse
import glob
import json
import os
import time

import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive_dir")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(args.archive_dir, "*-1m-*.zip")))
    if not files:
        raise SystemExit(f"no kline archives in {args.archive_dir}")
    seconds = []
    cpu_seconds = []
    rows = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        cpu_started = time.process_time()
        rows = sum(len(pd.read_csv(path)) for path in files)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    print(json.dumps({"rows": rows, "seconds": seconds, "cpuSeconds": cpu_seconds, "pandas": pd.__version__}))


if __name__ == "__main__":
    main()

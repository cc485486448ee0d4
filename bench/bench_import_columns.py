"""Response import check of a very wide file: `dry_run` on a 40,000-column CSV against pandas reading it.

    .venv/bin/python bench/bench_import_columns.py [--columns 40000] [--rows 3]

The red team's file: the required columns, then tens of thousands of columns the dataset format does
not have (each one a header problem to report). It took 24 s to check (0.6 ms a column) when the text
table was built column by column, 1.3 s when pandas read it in one block; wide files are now read by
the csv module (survey.datasets.files.WIDE_COLUMNS). Baseline: `pandas.read_csv` of the same bytes
as text, which pays about 25 us a column. A fresh SQLite database under a temporary folder (the app's
migrations). Prints seconds and the ratio.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from survey import create_app  # noqa: E402

REQUIRED = ["response_id", "community", "campaign", "mode", "submitted_at"]


def make_csv(columns: int, rows: int) -> bytes:
    header = REQUIRED + [f"extra_{n}" for n in range(columns - len(REQUIRED))]
    lines = [",".join(header)]
    for row in range(rows):
        lines.append(",".join([f"r-{row}", "town", "town", "paper", "2024-05-01T10:30:00Z"] + ["1"] * (columns - 5)))
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=40_000)
    parser.add_argument("--rows", type=int, default=3)
    args = parser.parse_args()

    data = make_csv(args.columns, args.rows)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "SECRET_KEY": "bench"})
        with app.app_context():
            from flask_migrate import upgrade

            from survey.datasets.imports import dry_run

            upgrade()
            started = time.perf_counter()
            pd.read_csv(io.BytesIO(data), header=None, dtype=str, na_filter=False, skip_blank_lines=False)
            pandas_s = time.perf_counter() - started
            started = time.perf_counter()
            report = dry_run(data, "wide.csv")
            check_s = time.perf_counter() - started

    # Only worth reading if every unknown column (and each row's unknown campaign) was reported.
    expected = args.columns - len(REQUIRED) + args.rows
    if report.problem_total != expected:
        raise SystemExit(f"the check found {report.problem_total} problems, expected {expected}")
    print(f"{args.columns:,} columns x {args.rows} rows, {len(data) / 1e6:.1f} MB")
    print(f"pandas read_csv (baseline): {pandas_s:.2f} s")
    print(f"import check (dry_run):     {check_s:.2f} s  ({check_s / args.columns * 1e6:.0f} us a column)")
    print(f"ratio: {check_s / pandas_s:.1f}x the baseline")


if __name__ == "__main__":
    main()

"""Code validation speed: `validate_codes` on text answers against a bare NumPy check in the same run.

    .venv/bin/python bench/bench_validation.py [--rows 1000000]

Fourteen WEMWBS columns of text codes as a CSV upload gives them ("1".."5"), one bad code
in the last row. Baseline: `np.isin` of each column against the allowed strings, the least a
vectorised check can cost (it reads no "3.0" or " 4 " as codes, which `validate_codes` does).
Both must find the one bad code. About a second for a million rows here. Prints seconds and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from instruments import get, validate_codes  # noqa: E402

WEMWBS = [f"wemwbs_{n}" for n in range(1, 15)]
ALLOWED = np.array(["1", "2", "3", "4", "5"], dtype=object)


def make_answers(rows: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({column: ALLOWED[rng.integers(0, len(ALLOWED), rows)] for column in WEMWBS})
    frame.iloc[rows - 1, 4] = "6"
    return frame


def numpy_baseline(frame: pd.DataFrame) -> list[tuple[int, str]]:
    """(1-based row, column) of every value that is not an allowed code, column by column."""
    bad = []
    for column in frame.columns:
        rows = np.flatnonzero(~np.isin(frame[column].to_numpy(), ALLOWED))
        bad += [(int(row) + 1, column) for row in rows]
    return sorted(bad)


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    frame = make_answers(args.rows)
    library_s, errors = timed(validate_codes, frame, [get("wemwbs")])
    numpy_s, bad = timed(numpy_baseline, frame)

    # The benchmark is only worth reading if both found the planted code, and nothing else.
    assert [(error.row, error.column) for error in errors] == bad == [(args.rows, "wemwbs_5")]

    print(f"rows: {args.rows:,} x {len(WEMWBS)} WEMWBS items as text, one bad code")
    print(f"validate_codes  : {library_s:8.3f} s")
    print(f"numpy baseline  : {numpy_s:8.3f} s   validate_codes / numpy = {library_s / numpy_s:6.2f}x")


if __name__ == "__main__":
    main()

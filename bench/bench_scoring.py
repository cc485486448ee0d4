"""Scoring speed: the scoring library against baselines measured in the same run.

    .venv/bin/python bench/bench_scoring.py [--rows 1000000]

Baselines: (a) bare NumPy on the same item matrix, the floor any vectorised
scorer can hope for; (b) a row-by-row Python loop, what an unvectorised scorer
costs (timed on a slice and scaled, it is that slow). Prints seconds and ratios.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import instruments  # noqa: E402

# Rasch conversion table, raw 7..35 -> metric (../shared/reference/wemwbs.md).
SWEMWBS_TABLE = np.array(
    [
        7.00,
        9.51,
        11.25,
        12.40,
        13.33,
        14.08,
        14.75,
        15.32,
        15.84,
        16.36,
        16.88,
        17.43,
        17.98,
        18.59,
        19.25,
        19.98,
        20.73,
        21.54,
        22.35,
        23.21,
        24.11,
        25.03,
        26.02,
        27.03,
        28.13,
        29.31,
        30.70,
        32.55,
        35.00,
    ]
)
SWEMWBS_ITEMS = [1, 2, 3, 6, 7, 9, 11]


def make_items(rows: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = rng.integers(1, 6, size=(rows, 14)).astype("float64")
    data[rng.random(data.shape) < 0.01] = np.nan  # about 13% of rows miss at least one item
    return pd.DataFrame(data, columns=[f"wemwbs_{i}" for i in range(1, 15)])


def numpy_baseline(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    items = frame.to_numpy()
    complete = ~np.isnan(items).any(axis=1)
    wemwbs = np.where(complete, np.nansum(items, axis=1), np.nan)
    short = items[:, [i - 1 for i in SWEMWBS_ITEMS]]
    short_ok = ~np.isnan(short).any(axis=1)
    raw = np.where(short_ok, np.nansum(short, axis=1), 7).astype(int)
    return wemwbs, np.where(short_ok, SWEMWBS_TABLE[raw - 7], np.nan)


def row_loop(frame: pd.DataFrame) -> list[float | None]:
    out: list[float | None] = []
    for _, row in frame.iterrows():
        values = list(row)
        out.append(None if any(pd.isna(v) for v in values) else float(sum(values)))
    return out


def timed(function, *args, repeat: int = 1) -> tuple[float, object]:
    """Best of `repeat` runs (the first run of anything pays numpy's and pandas' warm-up)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--loop-rows", type=int, default=20_000, help="rows timed for the row-by-row baseline")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of the library and numpy")
    args = parser.parse_args()

    frame = make_items(args.rows)
    scorers = [instruments.get("wemwbs"), instruments.get("swemwbs")]
    library_s, scores = timed(instruments.score, frame, scorers, repeat=args.repeat)
    numpy_s, (wemwbs, swemwbs) = timed(numpy_baseline, frame, repeat=args.repeat)
    loop_s, _ = timed(row_loop, frame.head(args.loop_rows))
    loop_scaled = loop_s * args.rows / args.loop_rows

    # The benchmark is only worth reading if the library agrees with the independent computation.
    assert np.allclose(scores["wemwbs"].to_numpy(dtype="float64", na_value=np.nan), wemwbs, equal_nan=True)
    assert np.allclose(scores["swemwbs"].to_numpy(dtype="float64", na_value=np.nan), swemwbs, equal_nan=True)

    print(f"rows: {args.rows:,} x 14 WEMWBS items (WEMWBS + SWEMWBS scored), best of {args.repeat}")
    print(f"scoring library : {library_s:8.3f} s")
    print(f"numpy baseline  : {numpy_s:8.3f} s   library / numpy = {library_s / numpy_s:6.2f}x")
    print(
        f"row-by-row loop : {loop_scaled:8.3f} s   (scaled from {args.loop_rows:,} rows)"
        f"   loop / library = {loop_scaled / library_s:6.0f}x"
    )


if __name__ == "__main__":
    main()

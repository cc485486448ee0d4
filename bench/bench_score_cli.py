"""`python -m instruments score` on a large CSV against the floor measured in the same run.

    .venv/bin/python bench/bench_score_cli.py [--rows 1000000]

The file: a response id and the 14 WEMWBS items (about 1% of cells blank). Measured: `score_file`
(what the command runs: read every cell as text, check every code, score WEMWBS and SWEMWBS, write
the file back with the scores). Floor: pandas `read_csv` of the same file, the WEMWBS total summed
by numpy, and `to_csv` of the result: what any tool reading and writing this CSV with pandas pays.
Best of `--repeat` runs each; the outputs are compared so the figures are only printed for a right answer.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from instruments.cli import score_file  # noqa: E402

ITEMS = [f"wemwbs_{number}" for number in range(1, 15)]


def make_file(path: Path, rows: int, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    codes = rng.integers(1, 6, size=(rows, len(ITEMS))).astype(str).astype(object)
    codes[rng.random(codes.shape) < 0.01] = ""
    frame = pd.DataFrame(codes, columns=ITEMS)
    frame.insert(0, "response_id", [f"r{i}" for i in range(rows)])
    frame.to_csv(path, index=False, lineterminator="\n")


def floor(source: Path, target: Path) -> None:
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    items = frame[ITEMS].replace("", np.nan).astype("float64").to_numpy()
    total = items.sum(axis=1)  # NaN wherever an item is blank, as complete cases want
    frame["wemwbs"] = pd.array(np.where(np.isnan(total), 0, total).astype(np.int64), dtype="Int64")
    frame.loc[np.isnan(total), "wemwbs"] = pd.NA
    frame.to_csv(target, index=False, lineterminator="\n")


def best(repeat: int, run: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source, scored, floored = Path(folder) / "in.csv", Path(folder) / "out.csv", Path(folder) / "floor.csv"
        make_file(source, args.rows)
        command_s = best(args.repeat, lambda: score_file(source, scored))
        floor_s = best(args.repeat, lambda: floor(source, floored))
        ours = pd.read_csv(scored, dtype=str, keep_default_na=False)["wemwbs"]
        theirs = pd.read_csv(floored, dtype=str, keep_default_na=False)["wemwbs"]
        assert ours.equals(theirs), "the command and the floor disagree on the WEMWBS totals"
    print(f"{args.rows:,} rows x {len(ITEMS)} items, best of {args.repeat}")
    print(f"pandas + numpy floor     : {floor_s:7.2f} s")
    print(f"python -m instruments score: {command_s:7.2f} s   {command_s / floor_s:5.2f}x the floor")


if __name__ == "__main__":
    main()

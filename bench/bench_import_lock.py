"""How long a response import holds SQLite's write lock: one transaction (before) against chunks (after).

    .venv/bin/python bench/bench_import_lock.py [--rows 200000] [--chunk 2000]

Not a test. A fresh SQLite database (WAL, the app's migrations) under a temporary folder, one open
campaign (WEMWBS, six ways, two assets, demographics), and a CSV of `--rows` valid responses in
the dataset format (about 30 MB for 200,000 rows). Each run imports it into an empty copy:

- **before**: the old import, one write transaction from the check to the last row (the check ran
  inside it, since command-line and web writers begin IMMEDIATE);
- **after**: `import_responses` as it is now: the check in a read-only transaction, the rows in
  chunks of `--chunk` that commit one by one, then the publishing transaction.

Two measures, both printed: the longest write transaction (from its BEGIN IMMEDIATE to its commit,
timed by engine events), and the longest a resident's write waited for the lock, seen by a probe
process that takes the lock (BEGIN IMMEDIATE, ROLLBACK) every 50 ms on its own connection.

Measured here (2 cores shared with other work, load average about 6), 200,000 rows, 26 MB:
longest write-lock hold 220.7 s before, 2.8 s after (103 write transactions; the publishing
UPDATE is about 0.1 s per 50,000 rows); the probe writer's longest wait 223.5 s before, 2.8 s
after; the whole import 232 s before, 175 s after (the chunks' pauses included).
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text  # noqa: E402

from analysis.dataset import sixways_items, wemwbs_items  # noqa: E402
from survey import create_app  # noqa: E402

SLUG = "bench-town"
ASSETS = ("library", "seafront")


def make_csv(rows: int, seed: int = 1) -> bytes:
    """`rows` valid responses in the dataset format, codes drawn at random."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "response_id": [f"b-{n:07d}" for n in range(rows)],
            "community": SLUG,
            "campaign": SLUG,
            "mode": "paper",
            "verified": 1,
            "submitted_at": "2024-05-01T10:30:00Z",
            "age_band": rng.integers(1, 7, rows),
            "gender": rng.integers(1, 3, rows),
            "employment": rng.integers(1, 5, rows),
            "years_in_area": rng.integers(0, 60, rows),
        }
    )
    for item in wemwbs_items():
        frame[item] = rng.integers(1, 6, rows)
    for item in sixways_items():
        frame[item] = rng.integers(1, 6, rows)
    for slug in ASSETS:
        frame[f"asset_{slug}"] = rng.integers(0, 5, rows)
        frame[f"asset_{slug}_value"] = rng.integers(1, 6, rows)
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue().encode()


def prepare(path: Path) -> None:
    """A migrated database with one open campaign."""
    from flask_migrate import upgrade

    from survey.campaigns.licences import add_licence
    from survey.campaigns.operations import create_campaign, open_campaign
    from survey.extensions import db
    from survey.models import Asset, Community

    app = create_app(
        {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench", "JOB_QUEUE_URL": "memory://", "TESTING": True}
    )
    with app.app_context():
        upgrade()
        community = Community(slug=SLUG, name="Bench Town")
        db.session.add(community)
        for slug in ASSETS:
            db.session.add(Asset(slug=slug, community=community, name=slug.title(), kind="place"))
        add_licence("wemwbs", holder="Bench Council", reference="BENCH-1")
        campaign = create_campaign(community, SLUG, "Bench survey", ("wemwbs", "sixways", "asset_use", "demographics"))
        open_campaign(campaign)
        db.session.commit()
        db.engine.dispose()


class LockWatch:
    """The longest write transaction of one engine, and the longest wait of a probe writer."""

    def __init__(self, engine: Any, path: Path) -> None:
        self.longest_hold = 0.0
        self.longest_wait = 0.0
        self.transactions = 0
        self._began: float | None = None
        self._wrote = False
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)
        event.listen(engine, "before_cursor_execute", self._statement)
        # A process of its own, like another gunicorn worker: a thread would also wait for the GIL.
        self._longest_wait = multiprocessing.Value("d", 0.0)
        self._stop = multiprocessing.Event()
        self._probe = multiprocessing.Process(target=_wait_for_lock, args=(str(path), self._stop, self._longest_wait))
        self._probe.start()

    def _begin(self, _connection: Any) -> None:
        self._began, self._wrote = time.perf_counter(), False

    def _statement(self, _connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self._wrote = self._wrote or statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))

    def _end(self, _connection: Any) -> None:
        # The old import's transaction wrote, like every chunk; read-only ones (the check now) never lock.
        if self._began is not None and self._wrote:
            self.longest_hold = max(self.longest_hold, time.perf_counter() - self._began)
            self.transactions += 1
        self._began = None

    def stop(self) -> None:
        self._stop.set()
        self._probe.join()
        self.longest_wait = self._longest_wait.value


def _wait_for_lock(path: str, stop: Any, longest: Any) -> None:
    """Take the write lock every 50 ms, as a resident's request would; keep the longest wait."""
    probe = sqlite3.connect(path, isolation_level=None, timeout=600)
    while not stop.wait(0.05):
        started = time.perf_counter()
        probe.execute("BEGIN IMMEDIATE")
        longest.value = max(longest.value, time.perf_counter() - started)
        probe.execute("ROLLBACK")
    probe.close()


def import_before(data: bytes) -> None:
    """The old import: check and every row in one write transaction, published by its commit."""
    from survey.datasets.files import read_chunks
    from survey.datasets.import_batches import publish, start_batch, targets_of, write_chunks
    from survey.datasets.import_checks import check_chunks
    from survey.extensions import db

    batch_id = start_batch(None, None, "bench", "bench.csv", "0" * 64)
    # The old import's write transaction began before the check (writers begin IMMEDIATE): a
    # first statement opens it, and the check and every row run inside it.
    db.session.execute(text("SELECT 1"))
    report, plan = check_chunks(read_chunks(data, "bench.csv"), "bench.csv", planning=True)
    assert plan is not None, list(report.lines())[:5]
    report.added = len(plan.response_ids)
    write_chunks(batch_id, plan, targets_of(plan), None, chunk_size=len(plan.response_ids))
    publish(batch_id, report, plan, None, "bench", "0" * 64)


def run(label: str, path: Path, data: bytes, chunk: int | None) -> tuple[float, float, float, int]:
    from survey.datasets.imports import import_responses
    from survey.extensions import db

    app = create_app(
        {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench", "JOB_QUEUE_URL": "memory://", "TESTING": True}
    )
    with app.app_context():
        watch = LockWatch(db.engine, path)
        started = time.perf_counter()
        if chunk is None:
            import_before(data)
        else:
            import_responses(data, "bench.csv", None, actor_label="bench", chunk_size=chunk)
        total = time.perf_counter() - started
        watch.stop()
        db.engine.dispose()
    print(
        f"{label:7s} total {total:7.1f} s; longest write transaction {watch.longest_hold:7.2f} s "
        f"({watch.transactions} write transactions); longest wait for the lock {watch.longest_wait:6.2f} s",
        flush=True,
    )
    return total, watch.longest_hold, watch.longest_wait, watch.transactions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--chunk", type=int, default=2000)
    args = parser.parse_args()

    data = make_csv(args.rows)
    print(f"{args.rows:,} responses, {len(data) / 1e6:.1f} MB of CSV; chunks of {args.chunk:,}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "empty.sqlite3"
        prepare(empty)
        results = {}
        for label, chunk in (("before", None), ("after", args.chunk)):
            path = Path(folder) / f"{label}.sqlite3"
            shutil.copyfile(empty, path)
            results[label] = run(label, path, data, chunk)
    before, after = results["before"], results["after"]
    print(
        f"longest write-lock hold: before {before[1]:.2f} s, after {after[1]:.2f} s "
        f"({before[1] / after[1]:.0f}x shorter); a writer's longest wait: before {before[2]:.2f} s, "
        f"after {after[2]:.2f} s"
    )


if __name__ == "__main__":
    main()

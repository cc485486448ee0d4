"""Running the job queue in tests.

The test apps queue on ``memory://`` (a `huey.MemoryHuey` per app), and a test runs what its
requests queued with `run_queued_jobs`, in its own process, when it would have waited for a worker.
Why this rather than Huey's immediate mode (tasks run inside `enqueue`) or a consumer in the
background:
- a request still only queues: the tests that check it returns at once, and the pages showing a
  job still waiting, keep their meaning (immediate mode would build a report inside the POST);
- each task goes through Huey's real path: serialised into the storage, read back by name from
  the registry, and executed by `Huey.execute` as the consumer's worker does;
- it is deterministic: the job has finished when the call returns, with no polling, no thread
  outliving the test to hold a connection, and mocks (a stubbed PDF renderer) still in force.
The real consumer is covered too: `tests/test_jobs.py` runs `flask worker` as its own process on
a Redis queue.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask


def run_queued_jobs(app: Flask, limit: int | None = None) -> int:
    """Run every job the app's requests queued (jobs those jobs queue too), as a worker would, or
    only the first `limit`; returns how many ran."""
    huey = app.extensions["jobs"].huey
    ran = 0
    while (limit is None or ran < limit) and (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def run_periodic_checks(app: Flask) -> None:
    """Run the worker's periodic tasks now (the check for jobs whose worker died)."""
    huey = app.extensions["jobs"].huey
    for task in huey.read_periodic(datetime(2026, 1, 1)):  # midnight: every periodic task is due
        huey.execute(task)

"""Asking for a workshop report only queues it: the POST against a page view measured in the same run.

    .venv/bin/python bench/bench_report_queue.py [--responses 40] [--repeat 5]

A SQLite survey database (the app's migrations and the demo with `--responses` per community) in a
temporary folder and a researcher signed in through the login form, all in-process with Flask's
test client. Baseline: GET of the reports page (the page the form is on). Measured: the POST that
asks for a report of one community; it should cost about a page view, whatever the report costs,
since the report is built by the job worker. Also printed: how long the queued reports took to
build when run afterwards as the worker runs them (Huey's dequeue and execute, in this process),
for scale. Best of `--repeat` runs each.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from survey import create_app  # noqa: E402
from survey.accounts.operations import create_user  # noqa: E402
from survey.audit.trail import acting_as  # noqa: E402
from survey.demo.build import load_demo  # noqa: E402
from survey.extensions import db  # noqa: E402

PAGE = "/research/reports"
SCOPE = "community:aylesham"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def best_of(repeat: int, function) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=40, help="demo responses per community")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as folder:
        settings = {"DATABASE_URL": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench", "TESTING": True}
        # The queue in this process, so this script can run the jobs as a worker would.
        app = create_app({**settings, "JOB_QUEUE_URL": "memory://", "RESULTS_DIR": f"{folder}/results"})
        with app.app_context():
            upgrade()
            with acting_as(None, "bench"):
                load_demo(per_community=args.responses, paper=False)
                create_user("bench.researcher@example.org", "researcher", password)
            db.session.commit()
        client = app.test_client()
        login = client.get("/login").get_data(as_text=True)
        form = {"csrf_token": CSRF.search(login).group(1), "email": "bench.researcher@example.org"}
        assert client.post("/login", data={**form, "password": password}).status_code == 303
        token = CSRF.search(client.get(PAGE).get_data(as_text=True)).group(1)
        jobs: list[str] = []

        def ask() -> None:
            response = client.post(PAGE, data={"csrf_token": token, "scope": SCOPE})
            assert response.status_code == 303, response.status_code
            jobs.append(response.headers["Location"])

        page_s = best_of(args.repeat, lambda: client.get(PAGE).get_data())
        started = time.perf_counter()
        ask_s = best_of(args.repeat, ask)
        # The figures are only worth reading if the reports really were built: run them as the worker does.
        huey = app.extensions["jobs"].huey
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
        ready_s = time.perf_counter() - started
        assert all("Download the report" in client.get(job).get_data(as_text=True) for job in jobs)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    print(f"report of {SCOPE}, demo with {args.responses} responses per community, best of {args.repeat}")
    print(f"GET {PAGE} (baseline) : {page_s:7.3f} s")
    print(f"POST {PAGE}           : {ask_s:7.3f} s   {ask_s / page_s:5.1f}x the baseline")
    print(f"{len(jobs)} reports ready after     : {ready_s:7.1f} s")


if __name__ == "__main__":
    main()

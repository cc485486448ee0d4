"""Load: whole surveys per second and page latency under gunicorn on SQLite, against a baseline in the same run.

    .venv/bin/python bench/bench_load.py [--users 50] [--run-time 60] [--workers 4] [--think 0]

Serves the real app (`wsgi:app`, a fresh SQLite file migrated with `flask init-db`
and loaded with the demo campaigns, rate limits off) with gunicorn, and has locust
(headless, `bench/locustfile.py`) run `--users` residents, each completing the whole
Dover Town survey with `bench.survey_client` and then starting again. Then the same
against `bench/baseline_app.py`, a minimal Flask app with the same pages per survey
(ONS4, WEMWBS, six ways, the asset questions, demographics, check your answers)
whose POSTs parse the form and insert one row with plain sqlite3 (WAL). Prints
complete surveys per second, p50/p99 latency over every request (GET and POST), and
the app/baseline ratio. Targets: ratio >= 0.8, p99 < 250 ms.

The load generator shares the machine's cores with gunicorn, as it would on a
2-core laptop; both runs pay that alike. With `--think 0` (the default) every
resident answers at once, so this measures capacity, and by Little's law page
latency is about users / requests per second; `--think S` has residents read each
page for about S seconds, which measures latency at a realistic load instead.
Never run as a test.

surveys/s is requests answered per second divided by requests per completed survey (req/svy):
both journeys make exactly 15 requests (consent, start, five pages GET + POST, check your answers
GET + POST, thank-you). The "17.0 vs 15.3 requests per survey" once read off this script was
every request, those of the 50 surveys still in progress at the stop included, over completed
surveys, which weighs more on the slower app; and timing from the first to the last thank-you
page overstated the rate when few surveys completed (they finish in waves).

Measured here (2 cores shared with two other sessions' benchmarks and tests, so wall-clock rates
swung by 2x between runs; CPU per request is the steadier figure):
- Start of issue 14, main 6c10987, 30 s, a quieter machine: 11.23 against 16.69 surveys/s, ratio
  0.67; CPU per request 7.9 ms app, 4.0 ms baseline, load generator 4.1 and 3.3 ms.
- The residents' code, profiled in-process (30 whole surveys, thread CPU, before/after alternated):
  server CPU per survey 90-120 ms -> 63-80 ms. Thank-you page 11-14 -> 4-5 ms (scoring one
  response in a one-row DataFrame was ~10 ms: `instruments.single.score_one`); page POST 7.6-9.2
  -> 5.2-6.2 ms and 13 -> 9 queries (no read of the stored answers before validating, no second
  read of the response to lock it on SQLite, one UPDATE of the response, statements built once:
  SQLAlchemy derived each new statement's cache key again, ~0.2 ms a query); check-your-answers
  POST 13 -> 8 queries and one write transaction instead of two; start 9 -> 5 queries; page GET
  5.2-6.3 -> 4.0-4.8 ms (radio options drawn in Python, `survey/web/radio_markup.py`, byte for
  byte the same markup).
- This script, --run-time 40, before and after alternated, the old baseline: ratio 0.43 and 0.37
  before, 0.43 and 0.75 after; app CPU per request 9.8 and 11.1 ms before, 8.0 and 6.9 ms after
  (baseline 3.6-4.2 ms); the load generator 4.6-5.9 ms per app request, 3.0-3.7 per baseline one.
- That baseline compiled its page template on every request (render_template_string), half its
  CPU; compiled once (now), it takes 1.7-2.4 ms per request, and the ratio was 0.26 and 0.32
  before, 0.24 and 0.37 after. TARGET MISSED: the app still needs 2.5-3x the baseline's CPU per
  survey, server and load generator together (its pages have about twice the tags to parse).
  In one of those runs the app also used less CPU per second than the baseline (0.7 against
  1.0 core), which points at waits for SQLite's write lock: a page POST holds it from its first
  read to its commit, and SQLite's busy handler sleeps in steps of up to 100 ms.
- The next session, a machine twice as fast, quiet, --run-time 40: 19.7 against 38.1 surveys/s,
  ratio 0.52; CPU per request 3.5 ms app, 1.1 ms baseline, load generator 2.4 and 1.7 ms; p99
  253 ms. In-process, a request takes 3.3 ms of CPU (a consent page, the floor: campaign read,
  session, CSRF token, layout, 1.9 ms); py-spy of 60 surveys: database work (SQLAlchemy and
  sqlite3, commit included) 53% of request time, templates 21%, Flask/Werkzeug and our views 10%,
  forms and CSRF 8%, session cookie and login 5%, logging 3%, scoring 2%. Reaching 0.8 would take
  the whole request to about the baseline's own cost; not attempted piecemeal.
- The session after: radio questions drawn by one Python function instead of four Jinja macros each
  (`survey/web/radio_markup.py`; 157 -> 145 KB of HTML a survey), and the asset page's new asset uses
  inserted in one statement with the campaign's asset snapshot kept per opened campaign (that page's
  POST 4.8 -> 3.8 ms). In process, alternated with the code before (another session's tests
  running): 46.6 and 46.8 -> 43.0 and 45.4 ms of CPU a survey. This script, quiet, --run-time 40,
  the code before and after in turn: 21.2 against 41.8 surveys/s (0.51) before, 21.2 against 40.7
  (0.52) and 21.4 against 41.4 (0.52) after; CPU a request 3.3 -> 3.2-3.3 ms, load generator 2.1 ms
  both; p99 233 -> 222-232 ms. Within the runs' noise: a few per cent of CPU is not throughput.
- Why 0.8 is out of reach, measured rather than guessed (this script now prints it): both runs are
  CPU-bound on the two cores they share with the load generator, so surveys per second go as
  1 / (server + generator CPU per request). The generator reads every page with html.parser, and
  the app's GOV.UK pages (a div, an input and a label per option, 3,406 tags a survey) take it
  11.7 ms a survey against 4.4 ms for the baseline's 1,421 tags. What the target then leaves the
  app's workers is 1.2 ms of CPU a request in the runs above (0.9 ms at the start of the session),
  about the bare baseline's own 1.1 ms: CSRF,
  SQLAlchemy, the audit trail, validation from instrument data and the layout would all have to
  cost nothing. Where the app's 2.9 ms go (thread CPU in process, per request): SQLAlchemy and
  sqlite3 1.2 ms (one statement costs 45-90 µs through SQLAlchemy against 5.5 µs in sqlite3, a
  transaction 60 µs, and a request runs about five), templates 0.45 ms, the request context and
  session cookie 0.25 ms, CSRF 0.13 ms, forms 0.11 ms, url_for 0.10 ms, logging 0.07 ms. A
  faster load generator would not help: it would bring the ratio down towards the server CPU
  ratio (about 0.3).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gunicorn_server import REPO, GunicornServer  # noqa: E402
from bench.survey_client import Resident  # noqa: E402

SLUG = "dover-town"
TARGET_RATIO = 0.8
TARGET_P99_MS = 250.0


@dataclasses.dataclass(frozen=True)
class Measured:
    name: str
    surveys: int
    surveys_per_second: float
    failed_surveys: int
    failed_requests: int
    requests: int
    requests_per_survey: float
    p50_ms: float
    p99_ms: float
    server_cpu_seconds: float = 0.0  # gunicorn workers' user + system time during the load
    client_cpu_seconds: float = 0.0  # the load generator's, on the same cores

    def cpu_ms_per_request(self) -> tuple[float, float]:
        return 1000 * self.server_cpu_seconds / self.requests, 1000 * self.client_cpu_seconds / self.requests

    def row(self) -> str:
        return (
            f"{self.name:<22}{self.surveys_per_second:>10.2f}{self.p50_ms:>9.0f}{self.p99_ms:>9.0f}"
            f"{self.surveys:>9}{self.requests:>10}{self.requests_per_survey:>8.1f}"
            f"{self.failed_surveys + self.failed_requests:>8}"
        )


def _prepare_survey_database(env: dict[str, str]) -> None:
    """Migrate a fresh SQLite file and load the demo campaigns, as `make run` does (no responses)."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["init-db"], ["demo", "--responses", "0", "--no-paper"]):
        subprocess.run([*flask, *command], cwd=REPO, env=env, check=True, capture_output=True)


def _warm_up(url: str, residents: int) -> None:
    """A few surveys first, so every worker has loaded its templates and instruments before timing."""
    with ThreadPoolExecutor(residents) as pool:
        list(pool.map(lambda seed: Resident(url, SLUG, seed=seed).run(), range(residents)))


def _run_locust(url: str, args: argparse.Namespace, workdir: Path, name: str) -> Measured:
    result_path = workdir / f"{name}.json"
    env = {**os.environ, "BENCH_SLUG": SLUG, "BENCH_RESULT": str(result_path), "BENCH_THINK": str(args.think)}
    command = [
        *(sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless"),
        *("--users", str(args.users), "--spawn-rate", str(args.users), "--run-time", f"{args.run_time}s"),
        *("--host", url, "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "0"),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    finished = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if not result_path.exists():
        raise RuntimeError(f"locust wrote no result (exit {finished.returncode}):\n{finished.stderr[-3000:]}")
    data = json.loads(result_path.read_text())
    for error in data["errors"]:
        print(f"  {name}: a survey failed: {error}", file=sys.stderr)
    centiles = statistics.quantiles(data["latencies_ms"], n=100, method="inclusive")
    per_survey = data["requests_per_survey"]
    if not per_survey:
        raise RuntimeError(f"{name}: no survey completed; run for longer")
    requests_per_survey = statistics.mean(per_survey)
    return Measured(
        name=name,
        surveys=len(per_survey),
        # Requests answered per second over the whole run, in whole surveys' worth: at the stop
        # every resident is part-way through one, so counting thank-you pages alone undercounts
        # the work done, and timing between the first and last thank-you page overstates it when
        # few complete (all 50 residents start together and finish their first survey together).
        surveys_per_second=len(data["latencies_ms"]) / requests_per_survey / data["elapsed"],
        requests_per_survey=requests_per_survey,
        failed_surveys=data["failed_surveys"],
        failed_requests=data["failed_requests"],
        requests=len(data["latencies_ms"]),
        p50_ms=centiles[49],
        p99_ms=centiles[98],
        client_cpu_seconds=client_cpu,
    )


def _measure(name: str, target: str, env: dict[str, str], args: argparse.Namespace, workdir: Path) -> Measured:
    log = workdir / f"{name}.gunicorn.log"
    with GunicornServer(target, env, log, workers=args.workers, ready_path=f"/s/{SLUG}") as server:
        _warm_up(server.url, 2 * args.workers)
        print(f"{name}: {args.users} residents for {args.run_time} s on {server.url} ...", file=sys.stderr)
        cpu_before = _workers_cpu(server)
        measured = _run_locust(server.url, args, workdir, name)
        return dataclasses.replace(measured, server_cpu_seconds=_workers_cpu(server) - cpu_before)


def _workers_cpu(server: GunicornServer) -> float:
    times = [worker.cpu_times() for worker in server.workers()]
    return sum(t.user + t.system for t in times)


def _server_budget(app: Measured, baseline: Measured) -> float:
    """The CPU per request the app's workers could use and still reach the target ratio.

    Both runs are CPU-bound on the cores they share with the load generator, so surveys per
    second go as 1 / (server + generator CPU per request). The generator's part is the cost of
    reading each page's HTML (GOV.UK markup has 2.4 times the baseline's tags), which no
    server-side work removes. An estimate: measured ratios run a little above the CPU ratios.
    """
    base_server, base_client = baseline.cpu_ms_per_request()
    _, app_client = app.cpu_ms_per_request()
    return (base_server + base_client) / TARGET_RATIO - app_client


def _stored_surveys(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM response WHERE status = 'complete'").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent residents (default 50)")
    parser.add_argument("--run-time", type=int, default=60, help="seconds of load per app (default 60)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers (2 x cores)")
    parser.add_argument("--think", type=float, default=0.0, help="seconds a resident reads each page (default 0)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        workdir = Path(tmp)
        survey_db = workdir / "survey.db"
        app_env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{survey_db}",
            "SECRET_KEY": "bench-load",
            "RATELIMIT_ENABLED": "false",
        }
        _prepare_survey_database(app_env)
        app = _measure("survey app (SQLite)", "wsgi:app", app_env, args, workdir)
        stored = _stored_surveys(survey_db) - 2 * args.workers  # less the warm-up surveys
        baseline_env = {**os.environ, "BASELINE_DB": str(workdir / "baseline.db"), "SECRET_KEY": "bench-load"}
        baseline = _measure("baseline Flask+sqlite3", "bench.baseline_app:create_app()", baseline_env, args, workdir)

    print(f"\n{args.users} residents, {args.workers} gunicorn workers, {os.cpu_count()} cores,", end=" ")
    print(f"think {args.think} s/page")
    print(f"{'':<22}{'surveys/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'surveys':>9}{'requests':>10}", end="")
    print(f"{'req/svy':>8}{'failed':>8}")
    print(app.row())
    print(baseline.row())
    for measured in (app, baseline):
        server_ms, client_ms = measured.cpu_ms_per_request()
        print(f"{measured.name}: CPU per request {server_ms:.1f} ms gunicorn, {client_ms:.1f} ms load generator")
    ratio = app.surveys_per_second / baseline.surveys_per_second
    budget, (base_server, _) = _server_budget(app, baseline), baseline.cpu_ms_per_request()
    print(f"the target leaves the app's workers {budget:.1f} ms of CPU a request (the baseline's: {base_server:.1f})")
    print(f"complete responses stored by the app: {stored} (locust counted {app.surveys} thank-you pages)")
    print(f"ratio app/baseline: {ratio:.2f} (target >= {TARGET_RATIO}); ", end="")
    print(f"app p99: {app.p99_ms:.0f} ms (target < {TARGET_P99_MS:.0f} ms)")
    met = ratio >= TARGET_RATIO and app.p99_ms < TARGET_P99_MS
    print("targets met" if met else "TARGET MISSED")


if __name__ == "__main__":
    main()

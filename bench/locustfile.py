"""Locust residents for `bench/bench_load.py`: each task is one new resident completing the whole survey.

Run by bench_load.py (`locust -f bench/locustfile.py --headless ...`) with
BENCH_SLUG (the campaign) and BENCH_RESULT (where to write what was measured).
Every request's time is collected from locust's request event, so the page
latency percentiles are exact, not read off locust's rounded histogram.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, constant, events, task
from locust.clients import HttpSession

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.survey_client import Resident  # noqa: E402

# How long a resident reads each questionnaire page (0: capacity, every resident answering at once).
THINK_SECONDS = float(os.environ.get("BENCH_THINK", "0"))
_measured: dict[str, Any] = {
    "latencies_ms": [],  # every request that got an answer
    "completed_at": [],  # seconds since the start at which each thank-you page arrived
    "requests_per_survey": [],  # of each completed survey
    "elapsed": 0.0,  # seconds from the start to the stop
    "failed_surveys": 0,
    "failed_requests": 0,
    "errors": [],
}
_clock: dict[str, float] = {}
_seeds = itertools.count()


@events.request.add_listener
def _on_request(response_time: float, exception: BaseException | None, **_kwargs: Any) -> None:
    if exception is None:
        _measured["latencies_ms"].append(response_time)
    else:
        _measured["failed_requests"] += 1


@events.test_start.add_listener
def _on_start(**_kwargs: Any) -> None:
    _clock["start"] = time.perf_counter()


@events.test_stop.add_listener
def _on_stop(**_kwargs: Any) -> None:
    _measured["elapsed"] = time.perf_counter() - _clock["start"]
    Path(os.environ["BENCH_RESULT"]).write_text(json.dumps(_measured))


class SurveyResident(HttpUser):
    # The next resident starts at once: think time, if any, is spent on each page (BENCH_THINK).
    wait_time = constant(0)

    def _session(self) -> HttpSession:
        return HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)

    @task
    def complete_survey(self) -> None:
        sent: list[str] = []  # this resident's requests
        resident = Resident(
            self.host,
            os.environ["BENCH_SLUG"],
            seed=next(_seeds),
            think_seconds=THINK_SECONDS,
            session_factory=self._session,
            on_request=lambda method, *_args: sent.append(method),
        )
        try:
            outcome = resident.run()
        except Exception as error:  # a failed survey is counted, and the next resident starts
            _measured["failed_surveys"] += 1
            if len(_measured["errors"]) < 5:
                _measured["errors"].append(repr(error)[:500])
            return
        if outcome.thanked:
            _measured["completed_at"].append(time.perf_counter() - _clock["start"])
            _measured["requests_per_survey"].append(len(sent))

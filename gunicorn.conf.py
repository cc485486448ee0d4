"""Gunicorn settings, read automatically from the working directory: `gunicorn wsgi:app`.

Run the migrations first (`flask --app wsgi init-db`); see docs/production.md.
Every value can be overridden on the command line (`gunicorn -w 4 ...`) or from the environment.
"""

import multiprocessing
import os
from typing import Any

# Behind nginx or Caddy on the same machine; the proxy owns the public port and TLS.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each handles one request at a time, so about two per core keeps the CPU busy
# while others wait on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Reports, exports and paper batch PDFs run in the job worker (`flask worker`), never in a
# request; this bounds whatever else runs long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
# On restart or deploy, requests in flight get this long to finish before workers are killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
# The app logs one redacted line per request (survey.request); gunicorn's own access log would
# repeat it with the raw path, password-reset tokens included, so it stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# X-Forwarded-* headers are trusted by the app's ProxyFix (TRUSTED_PROXIES) alone: one setting
# decides whether a request came over HTTPS, not two that could disagree.
secure_scheme_headers: dict[str, str] = {}
# The workers' heartbeat files in memory: a slow disk must not make the arbiter kill them.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


def on_starting(server: Any) -> None:
    """Refuse several workers that would each keep their own rate-limit counters in production.

    Checked here rather than above because `-w` on the command line overrides `workers`; the
    arbiter prints a RuntimeError as one "Error: ..." line and exits 1.
    """
    from survey.config import per_process_rate_limits_problem

    problem = per_process_rate_limits_problem(server.cfg.workers, os.environ)
    if problem:
        raise RuntimeError(problem)

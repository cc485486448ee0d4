"""Logs: readable lines or one JSON object per line, a line per request, and no secrets in either.

`LOG_FORMAT=json` suits a log collector (journald, Loki, CloudWatch); `text` suits a terminal.
Secrets never reach a log: the request line is built from a redacted path and query (a password
reset link's token, any `token`/`code`/`password` query value), no header or form value is ever
logged, and every record through our handler is scrubbed once more, which also covers the
development server's own access lines ("GET /reset/<token> HTTP/1.1").
"""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Response, g, request
from pythonjsonlogger.json import JsonFormatter

REDACTED = "[redacted]"
REQUEST_LOGGER = "survey.request"
# Names of route arguments and query or form fields whose values are secrets.
_SECRET_NAME = re.compile(r"token|code|password|secret|api_key", re.IGNORECASE)
_RESET_PATH = re.compile(r"(/reset/)[^/?#\s\"']+")
_SECRET_QUERY = re.compile(r"(\b[\w-]*(?:token|code|password|secret|api_key)[\w-]*=)[^&\s\"']*", re.IGNORECASE)
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redact(text: str) -> str:
    """`text` with reset-link tokens and secret-looking `name=value` pairs replaced."""
    return _SECRET_QUERY.sub(r"\1" + REDACTED, _RESET_PATH.sub(r"\1" + REDACTED, text))


class _RedactFilter(logging.Filter):
    """Scrub the final message of every record our handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (as `logging.lastResort` does), so an app
    created under a test runner that swaps stderr never writes to a closed stream."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        return sys.stderr


def configure_logging(app: Flask) -> None:
    """Send our INFO and everyone's WARNING to stderr in LOG_FORMAT, and log one line per request."""
    log_format = app.config["LOG_FORMAT"]
    if log_format not in ("json", "text"):
        raise RuntimeError(f"LOG_FORMAT must be 'json' or 'text', got {log_format!r}")
    handler = _StderrHandler()
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(levelname)s %(name)s %(message)s",
                rename_fields={"levelname": "level", "name": "logger"},
                timestamp="time",  # ISO 8601 in UTC, whatever the server's zone
            )
        )
    else:
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT))
    handler.addFilter(_RedactFilter())
    root = logging.getLogger()
    # Replace, not add: the factory runs once per app and tests build many apps in one process.
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    # INFO for our own loggers only: libraries' INFO chatter (alembic, weasyprint) stays out,
    # their warnings still come through the root logger's WARNING.
    logging.getLogger("survey").setLevel(logging.INFO)
    _log_requests(app)


def request_target() -> str:
    """This request's path and query string with secret values replaced."""
    secrets = {value for name, value in (request.view_args or {}).items() if _SECRET_NAME.search(name) and value}
    path = "/".join(REDACTED if segment in secrets else segment for segment in request.path.split("/"))
    if not request.query_string:
        return redact(path)
    pairs = parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)
    query = urlencode([(name, REDACTED if _SECRET_NAME.search(name) else value) for name, value in pairs], safe="[]")
    return redact(f"{path}?{query}")


def _log_requests(app: Flask) -> None:
    log = logging.getLogger(REQUEST_LOGGER)

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
        target = request_target()
        # Monitors poll the health check every few seconds; its successes are noise.
        level = logging.DEBUG if request.endpoint == "ops.healthz" and response.status_code == 200 else logging.INFO
        log.log(
            level,
            "%s %s %s %sms %s",
            request.method,
            target,
            response.status_code,
            duration_ms,
            request.remote_addr,
            extra={
                "method": request.method,
                "path": target,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "remote_addr": request.remote_addr,
            },
        )
        return response

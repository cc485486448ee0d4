"""`GET /healthz`: is this worker up and can it reach its database?"""

from __future__ import annotations

import logging

from flask import Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from survey.blueprints import ops as bp
from survey.extensions import db

log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when `SELECT 1` works, 503 otherwise, so a proxy or orchestrator stops routing here."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        # The exception class only: its text can carry the database URL, password included.
        log.warning("health check: database unreachable (%s)", type(error).__name__)
        return _no_store(jsonify(status="error", database="unreachable")), 503
    return _no_store(jsonify(status="ok", database="ok")), 200


def _no_store(response: Response) -> Response:
    # A cached "ok" would hide an outage from the monitor.
    response.headers["Cache-Control"] = "no-store"
    return response

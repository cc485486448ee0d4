"""JSON replies, and every error under /api/ as `{"error": {"status": 404, "message": "..."}}`.

The blueprint's handlers catch errors raised in its own views and hooks; 404 and 405 for paths
under /api/ that match no route are raised before any blueprint is known, so `survey.errors`
asks `is_api_request` and hands them to `error_response` here.
"""

from __future__ import annotations

import json
import logging
from typing import Any, NoReturn

from flask import Blueprint, Response, abort, current_app, g, request
from werkzeug.exceptions import HTTPException

from survey.extensions import db

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Shown when the exception carries only werkzeug's generic description (written for browsers).
_MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API token as 'Authorization: Bearer <token>'.",
    403: "Your account may not use the API: it is for researchers and administrators.",
    404: "There is nothing at this address. See /api/v1/openapi.json for the API's operations.",
    405: "The API is read-only: use GET.",
    413: "The request is too large.",
    429: "Too many requests. Wait a minute and try again.",
    500: "Something went wrong on the server. The problem has been logged.",
}
# RFC 6750: tell clients which scheme to use, and whether the token they sent was refused.
REALM = 'Bearer realm="survey-api"'


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def json_response(payload: Any, status: int = 200) -> Response:
    """`payload` as JSON with its keys in the order given (rows keep the dataset's column order).

    `allow_nan=False`: NaN is not JSON; a missing value must already be None (null).
    """
    body = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return current_app.response_class(body, status=status, mimetype="application/json")


def fail(status: int, message: str) -> NoReturn:
    """Stop the request with `status` and a message meant for the API client."""
    abort(status, description=message)


def error_response(error: HTTPException) -> Response:
    status = error.code or 500
    custom = error.description and error.description != type(error).description
    message = error.description if custom else _MESSAGES.get(status, error.name)
    if status == 429:
        # Flask-Limiter's description is the limit itself ("600 per 1 minute"): say what it means.
        message = f"Too many requests: the limit is {error.description}. Wait and try again."
    response = json_response({"error": {"status": status, "message": message}}, status)
    if status == 401:
        # A Bearer token that is not valid; no credentials, or another scheme (Basic), get no error code.
        challenge = REALM
        if g.get("api_token_refused", False):
            challenge += ', error="invalid_token"'
            description = g.get("api_token_error_description")
            if description:
                challenge += f', error_description="{description}"'
        response.headers["WWW-Authenticate"] = challenge
    allowed = getattr(error, "valid_methods", None)
    if status == 405 and allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def register(bp: Blueprint) -> None:
    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        return error_response(error)

    @bp.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        db.session.rollback()
        log.exception("unhandled API error: %s", type(error).__name__)
        return json_response({"error": {"status": 500, "message": _MESSAGES[500]}}, 500)


def api_error_or_none(error: HTTPException) -> Response | None:
    """The API's JSON error for a request under the API's prefix (any route or none), else None."""
    return error_response(error) if is_api_request() else None

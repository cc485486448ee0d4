"""One place that turns errors into friendly pages with the right status."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from survey.database import is_busy, mark_read_only
from survey.exceptions import ServiceError
from survey.extensions import db

log = logging.getLogger(__name__)

# Headings in plain words: Werkzeug's own names ("Not Found", "Request Entity Too Large") read as
# protocol jargon to the council officers and residents who meet them.
_TITLES = {
    400: "Sorry, there is a problem with that request",
    403: "You cannot see this page",
    404: "Page not found",
    405: "That action is not available",
    410: "This page has gone",
    413: "That is too large to send",
    429: "Too many requests",
}
_MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    403: "You do not have access to this page.",
    404: "We could not find that page. Check the link you were given.",
    405: "That action is not available on this page.",
    413: "What you sent is far too large for this form. Please go back and try again.",
    429: (
        "Too many requests from your network in a short time. Please wait a minute, then press the "
        "button again: your browser's Back button takes you to the page with what you typed."
    ),
}
# Seconds a browser or client is asked to wait when the database was too busy to take a write.
BUSY_RETRY_AFTER = 5
# Form fields never written back into a page (the busy page's resubmit form).
UNECHOED_FIELDS = ("password",)
# A refused upload is read (and thrown away) up to this size before answering, so the browser,
# still sending, sees the 413 page instead of a reset connection; beyond it we just close.
DRAIN_LIMIT_BYTES = 16 * 1024 * 1024


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask, api_errors: Callable[[HTTPException], Response | None]) -> None:
    """`api_errors` answers an error in the API's own format, or None when the request is not the API's."""

    @app.after_request
    def _drain_refused_upload(response: Response) -> Response:
        # Whichever handler answered (ours, or a blueprint's own 413 page such as the import form's).
        if response.status_code == 413:
            _drain_request_body()
        return response

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> tuple[str, int]:
        db.session.rollback()
        return _page(error.status_code, error.title, error.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            "This form has expired",
            "For your security, forms stop working when your browser session ends. Nothing was saved "
            "from this page: go back, reload the page and submit it again. If you saved earlier, "
            "use your resume code to carry on.",
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int] | Response:
        answered = api_errors(error)  # e.g. 404/405 under /api/ that no API route matched: JSON, like the API
        if answered is not None:
            return answered
        status = error.code or 500
        message = _MESSAGES.get(status, error.description or "")
        return _page(status, _TITLES.get(status, error.name), message)

    @app.errorhandler(OperationalError)
    def _database_error(error: OperationalError) -> tuple[str, int, dict[str, str]] | tuple[str, int] | Response:
        if not is_busy(error):
            return _unexpected(error)
        db.session.rollback()
        if "read_only_token" not in g:
            # Drawing the page may load the signed-in user again: read-only, so it never queues for the lock.
            g.read_only_token = mark_read_only()  # reset when the request ends
        log.warning("database busy: %s %s answered 503", request.method, request.path)
        headers = {"Retry-After": str(BUSY_RETRY_AFTER)}
        answered = api_errors(ServiceUnavailable())
        if answered is not None:
            answered.headers.update(headers)
            return answered
        return _busy_page(), 503, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        log.exception("unhandled error: %s", type(error).__name__)
        return _page(500, "Sorry, something went wrong", "The problem has been logged. Please try again later.")


def _busy_page() -> str:
    """The "busy, try again" page. A form POST comes back with its fields as hidden inputs (CSRF
    token included), so Try again sends exactly what the person typed; an upload cannot be
    carried that way, so its page asks them to go back and send it again."""
    resend = request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded"
    fields = (
        [
            (name, value)
            for name, value in request.form.items(multi=True)
            if not any(word in name.lower() for word in UNECHOED_FIELDS)
        ]
        if resend
        else []
    )
    target = request.full_path if request.query_string else request.path
    return render_template(
        "errors/busy.html", resend=resend, fields=fields, target=target, retry_after=BUSY_RETRY_AFTER
    )


def _drain_request_body() -> None:
    length = request.content_length
    limit = request.max_content_length
    # Only a body refused on its declared length is certainly unread; reading one a view already
    # consumed would wait forever for bytes that never come.
    if length is None or limit is None or not limit < length <= DRAIN_LIMIT_BYTES:
        return
    stream = request.environ["wsgi.input"]  # the raw input: Werkzeug's own stream refuses to read past the limit
    remaining = length
    while remaining > 0:
        chunk = stream.read(min(remaining, 64 * 1024))
        if not chunk:
            break
        remaining -= len(chunk)

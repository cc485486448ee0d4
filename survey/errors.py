"""One place that turns errors into friendly pages with the right status."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .services.exceptions import ServiceError

log = logging.getLogger(__name__)

_MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    403: "You do not have access to this page.",
    404: "We could not find that page. Check the link you were given.",
    405: "That action is not available on this page.",
    413: "What you sent is far too large for this form. Please go back and try again.",
    429: "Too many attempts. Please wait a minute and try again.",
}


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
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
    def _http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        message = _MESSAGES.get(status, error.description or "")
        return _page(status, error.name, message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        log.exception("unhandled error: %s", type(error).__name__)
        return _page(500, "Sorry, something went wrong", "The problem has been logged. Please try again later.")

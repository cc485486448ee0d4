"""Redirects after a POST: 303 See Other, so the browser follows with a GET."""

from __future__ import annotations

from typing import Any

from flask import redirect, url_for
from werkzeug.wrappers import Response as HTTPResponse


def see_other_url(url: str) -> HTTPResponse:
    """Redirect to `url` after a POST."""
    return redirect(url, code=303)


def see_other(endpoint: str, **values: Any) -> HTTPResponse:
    """Redirect to the page of `endpoint` after a POST."""
    return see_other_url(url_for(endpoint, **values))

"""Unknown or repeated query parameters answer 400 naming them, on every API endpoint (issue 13, point 6).

A misspelt or guessed filter (``?verified=1`` for ``verified_only``) used to be ignored, so the
client got everything while believing it had filtered. The parameters an endpoint takes are read
from the OpenAPI document, so the document and the check cannot drift apart. Each takes one value:
``?community=a&community=b`` answered community a's rows alone, silently, to a client that asked
for both.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, current_app, request

from instruments.answers import quoted
from survey.datasets.api.errors import fail
from survey.datasets.api.openapi import openapi_document


@cache
def _parameters_by_path(page_size: int, max_page_size: int) -> dict[str, frozenset[str]]:
    # Built once per page-size setting: the document is the same for every request.
    document = openapi_document(page_size, max_page_size)
    return {
        path: frozenset(p["name"] for p in item.get("get", {}).get("parameters", []) if p["in"] == "query")
        for path, item in document["paths"].items()
    }


def allowed_parameters(path: str) -> frozenset[str]:
    """The query parameters the document lists for `path` (a route rule such as /api/v1/responses)."""
    config = current_app.config
    return _parameters_by_path(config["API_PAGE_SIZE"], config["API_MAX_PAGE_SIZE"]).get(path, frozenset())


def register(bp: Blueprint) -> None:
    """Check after authentication (registered after `auth.register`), so a stranger learns nothing."""

    @bp.before_request
    def _refuse_unknown_parameters() -> None:
        if request.url_rule is None:
            return
        allowed = allowed_parameters(request.url_rule.rule)
        unknown = sorted(set(request.args) - allowed)
        if unknown:
            takes = ", ".join(sorted(allowed)) if allowed else "no query parameters"
            fail(400, f"unknown query parameter(s): {_named(unknown)} (this endpoint takes {takes})")
        repeated = sorted(name for name in request.args if len(request.args.getlist(name)) > 1)
        if repeated:
            fail(400, f"give each query parameter once: {_named(repeated)} came more than once")


def _named(names: list[str], most: int = 5) -> str:
    """Names the client sent, each as typed but bounded (`quoted`), and at most `most` of them."""
    shown = ", ".join(quoted(name) for name in names[:most])
    return shown + (f" and {len(names) - most:,} more" if len(names) > most else "")

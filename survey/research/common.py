"""What the research views share: loading by slug (scoped to the user), redirects, form errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import redirect, url_for
from werkzeug.wrappers import Response as HTTPResponse

from ..access import scoped_or_404
from ..models import Asset, Campaign, Community


def see_other(endpoint: str, **values: Any) -> HTTPResponse:
    """Redirect after a POST (303, so the browser follows with a GET)."""
    return redirect(url_for(endpoint, **values), code=303)


def community_or_404(slug: str) -> Community:
    """The community with this slug, or 404 if it does not exist or is out of scope."""
    return scoped_or_404(Community, lambda community: community.id, slug=slug)


def campaign_or_404(slug: str) -> Campaign:
    """The campaign with this slug, or 404 if it does not exist or is out of scope."""
    return scoped_or_404(Campaign, slug=slug)


def asset_or_404(slug: str) -> Asset:
    """The asset with this slug, or 404 if it does not exist or is out of scope."""
    return scoped_or_404(Asset, slug=slug)


def attach_errors(form: Any, problems: Mapping[str, str]) -> None:
    """Show a service's {field: reason} problems beside the fields (or above the form)."""
    for name, reason in problems.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, reason]
        else:
            form.form_errors.append(reason)

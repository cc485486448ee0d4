"""What the research views share: loading by slug (scoped to the user), redirects, form errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, redirect, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from ..access import require_community
from ..extensions import db
from ..models import Asset, Campaign, Community


def see_other(endpoint: str, **values: Any) -> HTTPResponse:
    """Redirect after a POST (303, so the browser follows with a GET)."""
    return redirect(url_for(endpoint, **values), code=303)


def community_or_404(slug: str) -> Community:
    """The community with this slug, or 404 if it does not exist or is out of scope."""
    community = db.session.scalar(select(Community).where(Community.slug == slug))
    if community is None:
        abort(404)
    require_community(current_user, community.id)
    return community


def campaign_or_404(slug: str) -> Campaign:
    """The campaign with this slug, or 404 if it does not exist or is out of scope."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        abort(404)
    require_community(current_user, campaign.community_id)
    return campaign


def asset_or_404(slug: str) -> Asset:
    """The asset with this slug, or 404 if it does not exist or is out of scope."""
    asset = db.session.scalar(select(Asset).where(Asset.slug == slug))
    if asset is None:
        abort(404)
    require_community(current_user, asset.community_id)
    return asset


def attach_errors(form: Any, problems: Mapping[str, str]) -> None:
    """Show a service's {field: reason} problems beside the fields (or above the form)."""
    for name, reason in problems.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, reason]
        else:
            form.form_errors.append(reason)

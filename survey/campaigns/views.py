"""Researchers' overview: the campaign list with progress, each campaign's dashboard, QR code and poster."""

from __future__ import annotations

import io

import segno
from flask import current_app, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

import instruments
from survey.access import RESEARCH, roles_required, scope_to_user
from survey.blueprints import research as bp
from survey.campaigns.admin import opening_warnings
from survey.campaigns.dashboard import campaign_dashboard, response_counts
from survey.campaigns.operations import campaign_sections, estimated_minutes
from survey.campaigns.quotas import quota_progress
from survey.extensions import db
from survey.models import Campaign, Community
from survey.web.lookups import campaign_or_404

STATUS_ORDER = {"open": 0, "draft": 1, "closed": 2}


def public_link(campaign: Campaign) -> str:
    """The address residents use: the one printed on posters and in the QR code."""
    return url_for("residents.consent", slug=campaign.slug, _external=True)


@bp.get("/")
@roles_required(*RESEARCH)
def home() -> str:
    """Every campaign (open first, then drafts, then closed) with its response counts."""
    query = select(Campaign).join(Community).order_by(Community.name, Campaign.created_at.desc())
    campaigns = sorted(
        db.session.scalars(scope_to_user(query, Campaign.community_id, current_user)),
        key=lambda campaign: STATUS_ORDER[campaign.status],
    )
    counts = response_counts(campaign.id for campaign in campaigns)
    return render_template("research/home.html", campaigns=campaigns, counts=counts)


@bp.get("/campaigns/<slug>")
@roles_required(*RESEARCH)
def campaign(slug: str) -> str:
    """One campaign: settings, actions, public link and the fieldwork dashboard."""
    return campaign_page(campaign_or_404(slug))


def campaign_page(campaign: Campaign, close_error: str | None = None) -> str:
    """The campaign's page; `close_error` when Close was pressed without its box ticked."""
    dashboard = campaign_dashboard(campaign, current_app.config["DISPLAY_TIMEZONE"])
    warnings = opening_warnings(campaign) if campaign.status == "draft" else []
    return render_template(
        "research/campaign.html",
        campaign=campaign,
        dashboard=dashboard,
        quotas=quota_progress(campaign),
        warnings=warnings,
        public_link=public_link(campaign),
        instrument_titles={key: instrument.title for key, instrument in instruments.catalogue().items()},
        close_error=close_error,
    )


@bp.get("/campaigns/<slug>/qr.svg")
@roles_required(*RESEARCH)
def campaign_qr(slug: str) -> HTTPResponse:
    """The public link as a QR code (SVG), for posters and leaflets."""
    campaign = campaign_or_404(slug)
    buffer = io.BytesIO()
    # Error correction "M" survives a crease or a smudge on a printed poster.
    segno.make(public_link(campaign), error="m").save(buffer, kind="svg", scale=8, border=4, title=campaign.title)
    response = HTTPResponse(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'inline; filename="{campaign.slug}-qr.svg"'
    return response


@bp.get("/campaigns/<slug>/poster")
@roles_required(*RESEARCH)
def campaign_poster(slug: str) -> str:
    """A printable A4 poster: title, QR code and the link typed out."""
    campaign = campaign_or_404(slug)
    minutes = estimated_minutes(campaign_sections(campaign)) if campaign.instruments else None
    return render_template(
        "research/poster.html", campaign=campaign, public_link=public_link(campaign), minutes=minutes
    )

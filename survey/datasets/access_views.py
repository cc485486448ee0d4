"""Download governance: who downloaded or read research data, what, with which filters, and when."""

from __future__ import annotations

from flask import render_template, request

from survey.access import ADMIN, roles_required
from survey.blueprints import admin as bp
from survey.datasets.access_log import access_page, describe_filters, make_access_filter, resources
from survey.models import ACCESS_CHANNELS


@bp.get("/downloads")
@roles_required(*ADMIN)
def downloads() -> str:
    args = request.args
    filters = make_access_filter(args.get("user"), args.get("channel"), args.get("resource"))
    page = access_page(filters, args.get("page", 1, type=int) or 1)
    return render_template(
        "admin/downloads.html",
        page=page,
        filters=filters,
        channels=ACCESS_CHANNELS,
        resources=resources(),
        describe_filters=describe_filters,
    )

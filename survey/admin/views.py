"""Admin home; the screens live in one module each, imported here to register their routes."""

from __future__ import annotations

from flask import render_template

from survey.access import ADMIN, roles_required
from survey.admin import bp


@bp.get("/")
@roles_required(*ADMIN)
def home() -> str:
    return render_template("admin/home.html")


from survey.admin import access_views, audit_views, contact_views, licence_views, user_views  # noqa: E402,F401

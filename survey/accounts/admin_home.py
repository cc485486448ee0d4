"""The administrators' home page; each screen lives with its domain (listed in `survey.VIEW_MODULES`)."""

from __future__ import annotations

from flask import render_template

from survey.access import ADMIN, roles_required
from survey.blueprints import admin as bp


@bp.get("/")
@roles_required(*ADMIN)
def home() -> str:
    return render_template("admin/home.html")

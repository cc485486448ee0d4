from __future__ import annotations

from flask import render_template

from ..access import ADMIN, roles_required
from . import bp


@bp.get("/")
@roles_required(*ADMIN)
def home() -> str:
    return render_template("admin/home.html")

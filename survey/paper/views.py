from __future__ import annotations

from flask import render_template

from ..access import STAFF, roles_required
from . import bp


@bp.get("/")
@roles_required(*STAFF)
def home() -> str:
    return render_template("paper/home.html")

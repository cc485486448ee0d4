from __future__ import annotations

from flask import render_template

from ..access import RESEARCH, roles_required
from . import bp


@bp.get("/")
@roles_required(*RESEARCH)
def home() -> str:
    return render_template("research/home.html")

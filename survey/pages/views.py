from __future__ import annotations

from flask import render_template

from ..localtime import local_today
from ..services.campaigns import open_public_campaigns
from . import bp


@bp.get("/")
def home() -> str:
    return render_template("pages/home.html", campaigns=open_public_campaigns(local_today()))


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template("pages/accessibility.html")

"""Residents' online survey blueprint."""

from flask import Blueprint

bp = Blueprint("residents", __name__, url_prefix="/s")

from . import views  # noqa: E402,F401  (registers the routes on bp)

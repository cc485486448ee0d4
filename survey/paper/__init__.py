"""Paper forms blueprint."""

from flask import Blueprint

bp = Blueprint("paper", __name__, url_prefix="/paper")

from . import views  # noqa: E402,F401  (registers the routes on bp)

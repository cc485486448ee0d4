"""Research blueprint."""

from flask import Blueprint

bp = Blueprint("research", __name__, url_prefix="/research")

from . import views  # noqa: E402,F401  (registers the routes on bp)

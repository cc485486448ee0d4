"""Paper forms blueprint: numbered batches, keyboard data entry, double entry and its resolution."""

from flask import Blueprint

bp = Blueprint("paper", __name__, url_prefix="/paper")

from survey.paper import entry, views  # noqa: E402,F401  (registers the routes on bp)

"""Public pages that belong to no survey: home and the accessibility statement."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from survey.pages import views  # noqa: E402,F401  (registers the routes on bp)

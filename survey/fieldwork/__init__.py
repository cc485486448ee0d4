"""Fieldwork for all staff: the campaigns they may work on, and interview mode."""

from flask import Blueprint

bp = Blueprint("fieldwork", __name__, url_prefix="/fieldwork")

from survey.fieldwork import views  # noqa: E402,F401  (registers the routes on bp)

"""Residents' online survey blueprint."""

from flask import Blueprint, current_app

from survey.extensions import limiter

bp = Blueprint("residents", __name__, url_prefix="/s")

# Every POST of the survey shares one budget per address: generous enough for a room of residents
# on a community centre's wifi (one address), small enough to stop a script flooding responses.
limiter.shared_limit(lambda: current_app.config["PUBLIC_SUBMIT_LIMIT"], scope="residents-post", methods=["POST"])(bp)

from survey.residents import views  # noqa: E402,F401  (registers the routes on bp)

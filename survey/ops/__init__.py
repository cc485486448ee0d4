"""Operations endpoints for load balancers and monitoring (no sign-in, no rate limit)."""

from flask import Blueprint

from survey.extensions import limiter

bp = Blueprint("ops", __name__)
# A monitor polling every few seconds from one address must never be throttled.
limiter.exempt(bp)

from survey.ops import views  # noqa: E402,F401  (registers the routes on bp)

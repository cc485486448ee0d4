"""Staff sign-in, sign-out, password change and one-time reset links."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from survey.auth import token_views, views  # noqa: E402,F401  (registers the routes on bp)

"""Bearer-token authentication and the per-token rate limit for the JSON API.

Only `Authorization: Bearer <token>` is read; the session cookie is ignored, so a page on another
site cannot make a signed-in browser call the API (no CSRF exposure), and the blueprint is
exempt from CSRF checks. Unknown, revoked, expired or deactivated-user tokens answer 401 with
`WWW-Authenticate: Bearer ... error="invalid_token"` (an expired one with RFC 6750's
`error_description="The access token expired"`); a valid token whose user is no longer a researcher
answers 403.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request
from flask_limiter.util import get_remote_address

from survey.access import RESEARCH
from survey.accounts.api_tokens import EXPIRED_MESSAGE, TokenRefused, authenticate_token, hash_token
from survey.audit import trail as audit
from survey.datasets.api.errors import fail
from survey.extensions import limiter
from survey.models import ApiToken, User

PUBLIC_ENDPOINTS = {"api.openapi"}


def bearer_token() -> str | None:
    """The token in the Authorization header, or None when there is no Bearer credential."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def rate_limit_key() -> str:
    """One bucket per presented token, else per address.

    Runs before the token is checked (Flask-Limiter's hook comes first) and must not touch the
    database then, so it keys on the token's hash without looking it up. A made-up token gets a
    bucket of its own, but guessing one of 2**256 tokens is hopeless however fast it is tried.
    """
    token = bearer_token()
    if token is not None:
        return "api-token:" + hash_token(token)
    return "api-address:" + get_remote_address()


def current_api_user() -> User:
    return g.api_user


def current_api_token() -> ApiToken:
    return g.api_token


def register(bp: Blueprint) -> None:
    limiter.shared_limit(lambda: current_app.config["API_LIMIT"], scope="api", key_func=rate_limit_key)(bp)

    @bp.before_request
    def _options() -> Response | None:
        """OPTIONS answers 204 with Allow, token or not: it reads nothing (the OpenAPI document says
        as much). Flask's own answer came after the token check, as an empty text/html 200."""
        if request.method != "OPTIONS":
            return None
        response = current_app.make_default_options_response()
        response.status_code = 204
        del response.headers["Content-Type"]
        return response

    @bp.before_request
    def _authenticate() -> None:
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return
        token = bearer_token()
        if token is None:
            fail(401, "Send your API token as 'Authorization: Bearer <token>'. Create one at /account/tokens.")
        try:
            row = authenticate_token(token)
        except TokenRefused as refused:
            g.api_token_refused = True  # RFC 6750: error="invalid_token" only when a token was sent
            if refused.expired:
                g.api_token_error_description = EXPIRED_MESSAGE
                fail(401, f"{EXPIRED_MESSAGE}. Create a new one at /account/tokens.")
            fail(401, "The API token is not valid: it is unknown, revoked, or its account is deactivated.")
        if row.user.role not in RESEARCH:
            fail(403, "Your account may not use the API: it is for researchers and administrators.")
        g.api_token = row
        g.api_user = row.user
        # Whatever this request changes is recorded under the token's owner in the audit trail.
        previous = g.pop("audit_token", None)
        if previous is not None:
            audit.reset_actor(previous)
        g.audit_token = audit.set_actor(row.user.id, row.user.email)

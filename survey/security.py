"""Security headers on every response, and a refusal of NUL bytes in any request."""

from __future__ import annotations

from flask import Flask, Response, abort, request

# No 'unsafe-inline': templates carry no inline script or style, so injected markup cannot run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)


def _has_nul_byte() -> bool:
    pairs = list(request.args.items(multi=True))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        pairs += request.form.items(multi=True)
    return "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in pairs)


def register(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_bytes() -> None:
        # No browser sends U+0000 from a form, and PostgreSQL refuses it in text (a 500 on every
        # query that carries it): refuse it here, once for every route, as a bad request.
        if _has_nul_byte():
            abort(400)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

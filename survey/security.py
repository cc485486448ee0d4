"""Security headers on every response, and a refusal of NUL bytes and of bodies no page sends."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, request


def content_security_policy(tile_url: str) -> str:
    """The policy for every response; the asset map's tile server (if any) may serve images.

    No 'unsafe-inline': templates carry no inline script or style, so injected markup cannot run.
    """
    images = ["'self'", "data:"]
    if tile_url:
        images.append(tile_source(tile_url))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {' '.join(images)}",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        ]
    )


def tile_source(tile_url: str) -> str:
    """The CSP source of a tile URL template: its scheme and host, "{s}." (Leaflet's subdomains) as "*.".

    Raises ValueError for anything but an http(s) URL with a plain host, so a typo in MAP_TILE_URL
    stops the app at start instead of silently blanking the map.
    """
    parts = urlsplit(tile_url)
    host = parts.netloc.replace("{s}.", "*.", 1) if parts.netloc.startswith("{s}.") else parts.netloc
    if parts.scheme not in ("http", "https") or not host or not all(c.isalnum() or c in ".-:*" for c in host):
        raise ValueError(
            f"MAP_TILE_URL must be an http(s) URL like https://tile.example.org/{{z}}/{{x}}/{{y}}.png, got {tile_url!r}"
        )
    return f"{parts.scheme}://{host}"


def _has_nul_byte() -> bool:
    pairs = list(request.args.items(multi=True))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        pairs += request.form.items(multi=True)
    return "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in pairs)


# Every upload form names its file input "file" (survey.web.uploads, the deep-dive and import forms).
UPLOAD_FIELD = "file"


def _body_no_page_sends() -> bool:
    """JSON, or a file under another name than the upload field. Flask-WTF reads either into any form:
    JSON's numbers, lists and objects, or an uploaded file, then reach text fields whose checks expect
    a string (a 500 on the sign-in and resume forms, and on every staff form). No page sends JSON
    (the API only reads), and a browser sends a text box as text."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    return request.is_json or any(name != UPLOAD_FIELD for name in request.files)


def register(app: Flask) -> None:
    try:
        policy = content_security_policy(app.config.get("MAP_TILE_URL", ""))
    except ValueError as error:
        raise RuntimeError(str(error)) from None

    @app.before_request
    def _refuse_nul_bytes() -> None:
        # No browser sends U+0000 from a form, and PostgreSQL refuses it in text (a 500 on every
        # query that carries it): refuse it here, once for every route, as a bad request.
        if _has_nul_byte():
            # The description is what the API answers (its clients read it); pages show their own.
            abort(400, description="The address or form holds a NUL character (U+0000), which is never valid.")

    @app.before_request
    def _refuse_bodies_no_page_sends() -> None:
        if _body_no_page_sends():
            abort(400)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

"""Security headers from the start, and templates that need no inline script or style."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import Resident

TEMPLATES = Path(__file__).resolve().parent.parent / "survey" / "templates"


def test_every_page_sends_the_security_headers(client, make_campaign):
    slug = make_campaign()
    for path in ("/", "/accessibility", f"/s/{slug}", f"/s/{slug}/resume", "/s/missing", "/static/survey.css"):
        response = client.get(path)
        response.close()  # static files are streamed from an open file
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_hsts_is_sent_over_https(client):
    response = client.get("/", base_url="https://survey.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_templates_have_no_inline_scripts_styles_or_handlers():
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source), template
        assert "<style" not in source and " style=" not in source, template
        assert not re.search(r"\son[a-z]+=", source), template


def test_pages_label_every_input_and_work_without_javascript(client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    for number in range(1, 5):
        html = resident.page_html(number)
        ids = re.findall(r'<input[^>]*\bid="([^"]+)"[^>]*type="(?:radio|number|text|checkbox)"', html)
        ids += re.findall(r'<textarea[^>]*\bid="([^"]+)"', html)
        assert ids, number
        for input_id in ids:
            assert f'for="{input_id}"' in html, (number, input_id)
        # Plain HTML form posts: the page works with scripting off.
        assert re.search(r'<form method="post" action="/s/[^"]+/page/\d+"', html)


def test_session_cookie_is_httponly_and_samesite(client, make_campaign):
    slug = make_campaign()
    Resident(client, slug).start()
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"

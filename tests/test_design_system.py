"""GOV.UK Frontend vendored as the issue asks (versioned, licensed, no crown or GDS Transport), the page
template around every page, and the accessibility statement's required sections from the settings."""

from __future__ import annotations

import re
from pathlib import Path

from survey import create_app

ROOT = Path(__file__).resolve().parent.parent
GOVUK = ROOT / "survey" / "static" / "govuk"
# GDS Transport and the crown (logo, Royal Arms crest) are reserved to GOV.UK.
FORBIDDEN_IN_CSS = ("GDS Transport", "@font-face", ".woff", "govuk-crest", "crown", "govuk-logo", "govuk-header__")


def _app(database_url: str, **settings: object):
    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key", "TESTING": True, **settings})


def test_the_vendored_files_carry_their_version_and_licence():
    version = (GOVUK / "VERSION").read_text().strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    css = (GOVUK / "govuk-frontend.min.css").read_text()
    js = (GOVUK / "govuk-frontend.min.js").read_text()
    # The compiled CSS and the package's JavaScript both state the release they come from.
    assert f'--govuk-frontend-version: "{version}"' in css
    assert f'const version="{version}"' in js
    licence = (GOVUK / "LICENCE").read_text()
    assert f"GOV.UK Frontend {version}" in licence and "The MIT License (MIT)" in licence
    script = (ROOT / "scripts" / "refresh_govuk_frontend.sh").read_text()
    assert f'GOVUK_FRONTEND_VERSION="${{1:-{version}}}"' in script  # the script reproduces this version


def test_the_compiled_css_has_no_crown_and_no_gds_transport():
    css = (GOVUK / "govuk-frontend.min.css").read_text()
    for forbidden in FORBIDDEN_IN_CSS:
        assert forbidden.lower() not in css.lower(), forbidden
    assert "url(" not in css  # no font, image or crest file is referenced at all
    assert "system-ui" in css  # the font stack that replaces GDS Transport
    assert not [path.name for path in GOVUK.rglob("*") if path.suffix in {".woff", ".woff2", ".svg", ".png", ".ico"}]


def test_the_vendored_css_and_javascript_are_served_and_linked(client):
    html = client.get("/").get_data(as_text=True)
    for path, mimetype in (
        ("/static/govuk/govuk-frontend.min.css", "text/css"),
        ("/static/govuk/govuk-frontend.min.js", "text/javascript"),
        ("/static/govuk-init.js", "text/javascript"),
        ("/static/js-enabled.js", "text/javascript"),
    ):
        response = client.get(path)
        response.close()
        assert response.status_code == 200 and response.mimetype == mimetype, path
        # The page links everything but the package's module, which govuk-init.js imports.
        assert path in html or path.endswith("govuk-frontend.min.js"), path
    assert '<script type="module" src="/static/govuk-init.js">' in html
    init = (ROOT / "survey/static/govuk-init.js").read_text()
    assert 'import { initAll } from "./govuk/govuk-frontend.min.js"' in init
    # GOV.UK's JavaScript-detection snippet runs from a file (the CSP forbids inline script).
    assert "govuk-frontend-supported" in (ROOT / "survey/static/js-enabled.js").read_text()
    assert re.search(r'<body class="govuk-template__body">\s*<script src="/static/js-enabled.js"></script>', html)


def test_every_page_has_the_govuk_page_template(database_url):
    app = _app(database_url, ORGANISATION_NAME="Testshire Council Public Health")
    client = app.test_client()
    for path in ("/", "/accessibility", "/privacy", "/login", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        assert '<a href="#main-content" class="govuk-skip-link"' in html, path
        assert '<main class="govuk-main-wrapper" id="main-content">' in html, path
        assert 'class="govuk-generic-header"' in html and "govuk-header__logo" not in html, path
        assert "<svg" not in html.split("</header>")[0], path  # no crown (or any logo) in the header
        footer = html.split('<footer class="govuk-footer')[1]
        assert "Testshire Council Public Health" in footer
        assert 'href="/accessibility"' in footer and 'href="/privacy"' in footer
        assert "Sign out" not in html  # nobody is signed in


def test_signed_in_staff_get_the_service_navigation_and_a_sign_out_button(admin):
    html = admin.get("/admin/").get_data(as_text=True)
    navigation = html.split('<section aria-label="Service information"')[1].split("</section>")[0]
    assert 'href="/research/"' in navigation and 'href="/admin/"' in navigation
    assert 'aria-current="true"' in navigation  # the Admin section is marked as the current one
    sign_out = re.search(r'<form method="post" action="/logout"[^>]*>(.*?)</form>', navigation, re.S)
    assert sign_out and 'name="csrf_token"' in sign_out.group(1) and "Sign out" in sign_out.group(1)


def test_the_accessibility_statement_has_the_model_statements_sections(database_url):
    app = _app(database_url, ORGANISATION_NAME="Testshire Council", ACCESSIBILITY_CONTACT="access@testshire.example")
    html = app.test_client().get("/accessibility").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    headings = re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, re.S)
    for required in (
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "Compliance status",
        "Non-accessible content",
        "Non-compliance with the accessibility regulations",
        "Disproportionate burden",
        "Content that's not within the scope of the accessibility regulations",
        "Preparation of this accessibility statement",
    ):
        assert any(required in heading for heading in headings), required
    assert "This website is run by Testshire Council." in text
    assert "Testshire Council is committed to making its website accessible" in text
    assert "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018" in text
    assert re.search(r"This website is (fully|partially|not) compliant with the Web Content Accessibility", text)
    assert "Equality and Human Rights Commission (EHRC)" in text and "Equality Advisory and Support Service" in text
    assert "Equality Commission for Northern Ireland (ECNI)" in text
    assert 'href="mailto:access@testshire.example"' in html
    day = r"\d{1,2} \w+ 20\d\d"
    assert re.search(rf"This statement was prepared on {day}\. It was last reviewed on {day}", text)
    assert re.search(rf"This website was last tested on {day}", text)
    assert "390 pixels" in text and "axe-core" in text  # how it was tested


def test_the_statement_falls_back_to_the_privacy_contact(database_url):
    app = _app(database_url, PRIVACY_CONTACT="the Testshire research team on 01234 567890")
    html = app.test_client().get("/accessibility").get_data(as_text=True)
    assert "contact the Testshire research team on 01234 567890" in re.sub(r"\s+", " ", html)


def test_the_navigation_marks_only_the_closest_section(admin):
    html = admin.get("/research/reports").get_data(as_text=True)
    current = re.findall(r'<a class="govuk-service-navigation__link" href="([^"]+)" aria-current="true"', html)
    assert current == ["/research/reports"]


def test_the_service_name_leads_staff_to_their_landing_page_and_residents_home(admin, client, make_user, login):
    # On staff pages it led to the residents' home page, which has no staff navigation: a dead end.
    def service_name_link(html: str) -> str:
        span = html.split('class="govuk-service-navigation__service-name"')[1]
        return re.search(r'href="([^"]+)"', span).group(1)  # type: ignore[union-attr]

    assert service_name_link(admin.get("/admin/").get_data(as_text=True)) == "/research/"
    assert service_name_link(admin.get("/").get_data(as_text=True)) == "/"  # residents' pages: their home
    make_user("peer@example.org", "peer")
    peer = client.application.test_client()
    login("peer@example.org", target=peer)
    assert service_name_link(peer.get("/paper/").get_data(as_text=True)) == "/fieldwork/"

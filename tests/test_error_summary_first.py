"""GOV.UK's error summary is the first thing in <main>, above the h1, so screen-reader and keyboard
users meet it first (GOV.UK Frontend focuses it on load), and a page showing one has a title that
starts "Error: ". A review found staff pages (deep-dive forms, coding and erase pages, the asset and
adjustment imports, ...) with the summary after the h1, some after several paragraphs.

Two checks: every template puts its summary in base.html's `error_summary` block (so no page can be
missed), and pages reached with an error show it first."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.deepdive_support import post as post_deep_dive
from tests.deepdive_support import record
from tests.test_research_support import sign_in, submit

TEMPLATES = Path(__file__).resolve().parent.parent / "survey" / "templates"
# Where the summaries' markup is defined (macros), not where a page shows one.
MACRO_FILES = {"_fields.html", "admin/_form.html", "research/_macros.html", "research/_confirm_close.html"}
SUMMARY = re.compile(r'class="govuk-error-summary|error_summary\(|upload_problems_summary\(')
BLOCK = re.compile(r"\{% block error_summary %\}.*?\{% endblock %\}", re.S)


def test_every_template_shows_its_error_summary_in_the_block_at_the_top_of_main():
    misplaced = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in MACRO_FILES or name == "base.html":
            continue
        outside = BLOCK.sub("", path.read_text())
        misplaced += [name for _ in SUMMARY.finditer(outside)]
    assert misplaced == []
    base = (TEMPLATES / "base.html").read_text()
    assert re.search(r"<main [^>]*>\s*\{% block error_summary %\}\{% endblock %\}", base)


def _first_in_main(html: str) -> None:
    """The summary opens <main>, comes before the h1, and the title starts "Error: "."""
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and title.group(1).startswith("Error: "), title and title.group(1)
    main = html[html.index('<main class="govuk-main-wrapper"') :]
    main = main[main.index(">") + 1 :]
    assert main.lstrip().startswith('<div class="govuk-error-summary'), main[:300]
    assert main.index("govuk-error-summary") < main.index("<h1")


def _csv(content: bytes) -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), "upload.csv"


# (page, where it posts or None for the page itself, what it sends): staff forms sent with problems.
STAFF_FORMS = {
    "community": ("/research/communities/new", None, {}),
    "campaign": ("/research/campaigns/new", None, {}),
    "asset": ("/research/communities/dover-town/assets/new", None, {}),
    "asset adjustments": ("/research/campaigns/dover-town/adjustments/dover_library", None, {"deadweight": "x"}),
    "response import": ("/research/imports", None, {}),
    "response import with problems": ("/research/imports", None, {"file": b"response_id,nonsense\n1,2\n"}),
    "asset import": ("/research/communities/dover-town/assets/import", None, {}),
    "asset import with problems": (
        "/research/communities/dover-town/assets/import",
        None,
        {"file": b"slug,name,kind\nBad Slug,,club\n"},
    ),
    "adjustments upload": (
        "/research/campaigns/dover-town/adjustments",
        "/research/campaigns/dover-town/adjustments/upload",
        {},
    ),
    "adjustments upload with problems": (
        "/research/campaigns/dover-town/adjustments",
        "/research/campaigns/dover-town/adjustments/upload",
        {"file": b"asset,deadweight,attribution,displacement,drop_off,years,reason\nnowhere,2,,,,,\n"},
    ),
    "deep-dive erasure": ("/research/deep-dives/erase", None, {}),
    "theme": ("/research/campaigns/dover-town/themes/new", None, {}),
    "paper issue": ("/paper/campaigns/dover-town/issue", None, {"size": "0"}),
    "close campaign unticked": ("/research/campaigns/dover-town", "/research/campaigns/dover-town/close", {}),
    "API token": ("/account/tokens", None, {}),
}


@pytest.mark.parametrize("case", list(STAFF_FORMS))
def test_a_staff_form_with_problems_shows_the_summary_first(client, make_campaign, make_user, login, case):
    page, action, data = STAFF_FORMS[case]
    data = {key: _csv(value) if isinstance(value, bytes) else value for key, value in data.items()}
    make_campaign("dover-town")
    sign_in(make_user, login)
    answer = submit(client, action or page, data, token_url=page, content_type="multipart/form-data")
    assert answer.status_code in (400, 422), (case, answer.status_code)
    _first_in_main(answer.get_data(as_text=True))


def test_the_deep_dive_form_and_the_coding_page_show_the_summary_first(client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    empty = post_deep_dive(client, {"participant_code": ""})
    assert empty.status_code == 422
    _first_in_main(empty.get_data(as_text=True))
    deep_dive_id = record(client)
    coding = submit(client, f"/research/deep-dives/{deep_dive_id}/code", {})
    assert coding.status_code == 422
    _first_in_main(coding.get_data(as_text=True))


def test_public_forms_show_the_summary_first(client, make_campaign, login):
    make_campaign("dover-town")
    page = client.get("/s/dover-town").get_data(as_text=True)
    start_token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', page)
    assert start_token, "no start token on the consent page"
    consent = submit(client, "/s/dover-town/start", {"start_token": start_token.group(1)}, token_url="/s/dover-town")
    assert consent.status_code == 422, consent.status_code
    _first_in_main(consent.get_data(as_text=True))
    workshop_code = submit(client, "/w", {"code": "nonsense"})
    assert workshop_code.status_code == 422, workshop_code.status_code
    _first_in_main(workshop_code.get_data(as_text=True))
    sign_in_page = submit(client, "/login", {"email": "", "password": ""})
    assert sign_in_page.status_code == 422, sign_in_page.status_code
    _first_in_main(sign_in_page.get_data(as_text=True))


def test_a_page_without_an_error_has_no_summary_and_no_error_title(client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    html = client.get("/research/deep-dives/new").get_data(as_text=True)
    assert "govuk-error-summary" not in html
    assert "<title>Error: " not in html


def test_the_paper_lookup_with_a_wrong_serial_has_a_summary_first(client, make_campaign, make_user, login):
    # It had "Error: " in its title and a message beside the box, but no error summary at all.
    make_campaign("dover-town")
    sign_in(make_user, login)
    answer = client.get("/paper/entry?serial=DOV-99999-9")
    assert answer.status_code in (404, 409, 422), answer.status_code
    html = answer.get_data(as_text=True)
    _first_in_main(html)
    assert 'href="#serial"' in html

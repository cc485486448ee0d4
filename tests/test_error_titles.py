"""A research form sent back with problems says so in its title, as every other form does ("Error: ..."),
so a screen reader user hears it first (GOV.UK's error summary pattern)."""

from __future__ import annotations

import io

import pytest

from tests.test_research_support import sign_in, submit

# (form page, where it posts, what it sends)
FORMS = {
    "community": ("/research/communities/new", None, {}),
    "campaign": ("/research/campaigns/new", None, {}),
    "asset": ("/research/communities/dover-town/assets/new", None, {}),
    "adjustments of an asset": ("/research/campaigns/dover-town/adjustments/dover_library", None, {"deadweight": "x"}),
    "response import": ("/research/imports", None, {}),
    "asset import": ("/research/communities/dover-town/assets/import", None, {}),
    "adjustments upload": (
        "/research/campaigns/dover-town/adjustments",
        "/research/campaigns/dover-town/adjustments/upload",
        {},
    ),
    "asset import with problems": (
        "/research/communities/dover-town/assets/import",
        None,
        {"file": b"slug,name,kind\nBad Slug,,club\n"},
    ),
}


@pytest.mark.parametrize("case", list(FORMS))
def test_a_research_form_with_problems_says_error_in_its_title(client, make_campaign, make_user, login, case):
    page, action, data = FORMS[case]
    # A fresh file each time: the client closes the one it sends.
    data = {
        key: (io.BytesIO(value), "assets.csv") if isinstance(value, bytes) else value for key, value in data.items()
    }
    make_campaign("dover-town")
    sign_in(make_user, login)
    answer = submit(client, action or page, data, token_url=page, content_type="multipart/form-data")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422, (case, answer.status_code)
    assert "govuk-error-summary" in html
    assert "<title>Error: " in html, html[html.index("<title>") : html.index("</title>")]

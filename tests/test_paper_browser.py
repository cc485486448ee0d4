"""A peer researcher signs in and keys a whole paper form in real Chromium with the keyboard alone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import PaperBatch, PaperForm
from tests.browser_support import sign_in
from tests.conftest import STAFF_PASSWORD
from tests.test_paper_support import ITEMS_IN_DOVER_FORM, PEER, RESEARCHER, answer_for, issue, paper_setup


def _focused(page) -> dict[str, str]:
    return page.evaluate(
        "() => { const e = document.activeElement; return {tag: e.tagName, name: e.name || '',"
        " codes: e.getAttribute('data-codes') || '', type: e.type || ''}; }"
    )


def _sign_in_with_keyboard(page, live_url: str) -> None:
    page.goto(f"{live_url}/login")
    for _ in range(20):
        page.keyboard.press("Tab")
        if _focused(page)["name"] == "email":
            break
    page.keyboard.type(PEER)
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_whole_paper_form_is_keyed_with_the_keyboard_alone(
    app, make_campaign, make_user, live_url, browser, javascript
):
    paper_setup(make_campaign, make_user, percent=0)
    (serial,) = issue(app, size=1)
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in_with_keyboard(page, live_url)
    assert "/login" not in page.url

    page.goto(f"{live_url}/paper/entry")
    # The serial box has the focus on arrival. Chromium applies autofocus in a later rendering step
    # than the load event, so on a busy machine wait for it (and fail if it never comes).
    page.wait_for_function("document.activeElement && document.activeElement.name === 'serial'", timeout=5000)
    page.keyboard.type(serial.lower().replace("-", ""))  # lower case, no hyphens: still found
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/paper/forms/{serial}/entry")

    typed = []
    for _ in range(ITEMS_IN_DOVER_FORM):
        field = _focused(page)
        assert field["tag"] == "INPUT", field
        answer = "b" if field["name"] == "wemwbs_9" else answer_for(field["name"])
        page.keyboard.type(answer)
        typed.append(field["name"])
        if not javascript:
            page.keyboard.press("Tab")
        elif answer in field["codes"].split():
            # A complete code moves on by itself (paper_entry.js).
            assert _focused(page)["name"] != field["name"], field
        else:
            page.keyboard.press("Enter")  # numbers and words: Enter moves on, it does not save
    assert len(typed) == ITEMS_IN_DOVER_FORM and typed[0] == "wemwbs_1" and typed[-1] == "postcode_district"
    assert _focused(page)["tag"] == "BUTTON"  # after the last item: Save
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/paper/entry")
    assert f"Saved form {serial}" in page.content()
    context.close()

    with app.app_context():
        form = db.session.scalars(select(PaperForm).filter_by(serial=serial)).one()
        assert form.status == "verified"
        answers = {a.item_key: (a.value, a.text, a.missing_reason) for a in form.response.answers}
        assert [answers[f"wemwbs_{i}"][0] for i in range(1, 15)] == [4] * 8 + [None] + [4] * 5
        assert answers["wemwbs_9"] == (None, None, "blank")
        assert answers["years_in_area"] == (12, None, None)
        assert answers["postcode_district"] == (None, "CT16", None)
        assert answers["asset_nominations"] == (None, "The allotments", None)
        assert {u.campaign_asset.slug: (u.frequency, u.importance) for u in form.response.asset_uses} == {
            "dover_library": (3, 5),
            "dover_seafront": (3, 5),
        }


def test_a_number_typed_with_words_is_refused_with_a_message_and_kept(app, make_campaign, make_user, live_url, browser):
    # The box was type=number: Chromium emptied "12 forms", so the page said "Enter how many forms"
    # and showed an empty box (on the campaign form an optional target was saved blank, silently).
    paper_setup(make_campaign, make_user)
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_url, RESEARCHER, STAFF_PASSWORD)
    page.goto(f"{live_url}/paper/campaigns/dover-town/issue")
    page.click("#size")
    page.keyboard.type("12 forms")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    summary = page.inner_text(".govuk-error-summary")
    assert "Enter the number of forms as a whole number from 1 to 500." in summary
    assert page.input_value("#size") == "12 forms"
    assert page.get_attribute("#size", "type") == "text" and page.get_attribute("#size", "inputmode") == "numeric"
    with app.app_context():
        assert db.session.scalars(select(PaperBatch)).all() == []

"""Staff pages opened on a phone (390 px) in real Chromium: nothing makes the page scroll sideways."""

from __future__ import annotations

from tests.conftest import STAFF_PASSWORD

RESEARCHER = "phone.researcher@example.org"
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _signed_in_phone(browser, live_url: str):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_url}/login")
    page.fill("#email", RESEARCHER)
    page.fill("#password", STAFF_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def test_the_poster_breaks_a_long_web_address_instead_of_widening_the_page(browser, live_url, make_campaign, make_user):
    # The public link is one unbroken word in large type: a campaign with a longish web address
    # (the demo's /s/aylesham) pushed the page 17 px wider than the phone.
    slug = make_campaign("aylesham-and-snowdown-spring")
    make_user(RESEARCHER, "researcher")
    page = _signed_in_phone(browser, live_url)
    page.goto(f"{live_url}/research/campaigns/{slug}/poster")
    assert f"/s/{slug}" in page.inner_text("main")
    assert page.evaluate(OVERFLOW) <= 0

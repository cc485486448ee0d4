"""Staff pages opened on a phone (390 px) in real Chromium: nothing makes the page scroll sideways."""

from __future__ import annotations

from sqlalchemy import select

from survey.extensions import db
from survey.models import Campaign, User
from survey.responses.operations import start_response
from tests.browser_support import sign_in
from tests.conftest import STAFF_PASSWORD

RESEARCHER = "phone.researcher@example.org"
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _signed_in_phone(browser, live_url: str, email: str = RESEARCHER):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_url, email, STAFF_PASSWORD)
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


def test_a_peers_unfinished_interviews_keep_resume_and_discard_on_a_phone(
    app, browser, live_url, make_campaign, make_user
):
    # They were a five-column table that scrolled sideways, with Resume and Discard out of sight.
    slug = make_campaign("aylesham-and-snowdown-spring")
    make_user("phone.peer@example.org", "peer", communities=(slug,))
    with app.app_context():
        peer = db.session.scalar(select(User).where(User.email == "phone.peer@example.org"))
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        start_response(campaign, "phone-interview-token-0001", mode="interview", entered_by=peer)
        db.session.commit()
    page = _signed_in_phone(browser, live_url, "phone.peer@example.org")
    page.goto(f"{live_url}/fieldwork/")
    assert page.evaluate(OVERFLOW) <= 0
    card = page.locator("[data-unfinished-interview]")
    assert card.count() == 1 and "part 1 of" in card.inner_text()
    for action in ("Resume", "Discard"):
        box = card.locator(f"a:has-text('{action}')").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (action, box)

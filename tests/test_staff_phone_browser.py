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


def test_the_paper_forms_print_view_fits_a_phone_and_still_prints_on_a4(browser, live_url, make_campaign, make_user):
    # The blank form's print view was an A4 sheet on screen too: 653 px wide on a 390 px phone.
    slug = make_campaign(keys=("ons4", "wemwbs", "sixways", "asset_use", "demographics"))
    make_user(RESEARCHER, "researcher")
    page = _signed_in_phone(browser, live_url)
    page.goto(f"{live_url}/paper/campaigns/{slug}/print")
    assert page.locator("table.scale").count() == 4 and page.locator("table.grid").count() >= 2
    assert page.evaluate(OVERFLOW) <= 0
    # Printing (the print medium, as WeasyPrint's batch PDFs use too) keeps the A4 layout: the serial
    # line in its fixed slot and each 0-10 row 150 mm wide.
    page.emulate_media(media="print")
    assert page.eval_on_selector(".serial-slot", "e => getComputedStyle(e).position") == "absolute"
    width = page.eval_on_selector("table.scale", "e => e.getBoundingClientRect().width")
    assert abs(width - 150 * 96 / 25.4) < 1, width

"""The impact workshop in real Chromium: a researcher opens it, five participants rate on phone-sized
screens, the facilitator's screen shows the aggregates by polling (no reload), an adjustment is agreed,
the workshop is closed, and a participant then sees the closed page."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import select

from survey.extensions import db
from survey.models import ValuationAdjustment
from tests.conftest import STAFF_PASSWORD

PHONE = {"width": 390, "height": 844}
# (group radio index, social, economic, comment) for each participant's rating of Dover Library.
ROOM = [(0, 5, 2, "Packed every Saturday"), (2, 4, 1, ""), (4, 4, 3, "Runs the job club"), (1, 2, 2, ""), (3, 3, 5, "")]


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _participant_rates(
    browser: Any, live_url: str, code: str, group: int, social: int, economic: int, comment: str
) -> Any:
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{live_url}/w")
    page.fill("#code", code.lower().replace("-", " "))  # typed loosely, as people do
    _press(page, "button:has-text('Continue')")
    page.check(f"#participant_group-{group}")
    _press(page, "button:has-text('Join the workshop')")
    _press(page, "a:has-text('Rate Dover Library')")
    page.check(f"#social_impact-{social - 1}")
    page.check(f"#economic_impact-{economic - 1}")
    if comment:
        page.fill("#comment", comment)
    _press(page, "button:has-text('Save your rating')")
    assert f"Your rating: social impact {social}" in page.inner_text("main")
    # Nothing on the phone is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    return page


def test_a_workshop_from_opening_to_closing(app, browser, live_url, make_campaign, make_user) -> None:
    from playwright.sync_api import expect  # imported once the browser fixture has found Chromium

    make_campaign("dover-town")
    make_user("researcher@example.org", "researcher")
    staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff.goto(f"{live_url}/login")
    staff.fill("#email", "researcher@example.org")
    staff.fill("#password", STAFF_PASSWORD)
    _press(staff, "button[type=submit]")
    staff.goto(f"{live_url}/research/workshops")
    _press(staff, "a:has-text('Open a workshop')")
    staff.select_option("#community", "dover-town")
    _press(staff, "button:has-text('Continue')")
    _press(staff, "button:has-text('Open the workshop')")
    code = staff.inner_text(".app-join-code").strip()
    assert len(code) == 9 and code[4] == "-"
    cell = '[data-figure="dover_library:{}"]'
    assert staff.inner_text(cell.format("social:count")) == "0"

    phones = [_participant_rates(browser, live_url, code, *row) for row in ROOM]

    # The facilitator's page was not reloaded: its script polls ratings.json and fills in the figures.
    # (expect() waits without evaluating strings, which the Content Security Policy forbids.)
    for key in ("social", "economic"):
        expect(staff.locator(cell.format(f"{key}:count"))).to_have_text("5", timeout=30_000)
    assert staff.inner_text('[data-figure="participants"]') == "5"
    for key, column in (("social", 1), ("economic", 2)):
        values = np.array([row[column] for row in ROOM])
        assert staff.inner_text(cell.format(f"{key}:median")) == f"{np.median(values):g}"
        shown = [int(staff.inner_text(cell.format(f"{key}:{point}"))) for point in range(1, 6)]
        assert shown == [int((values == point).sum()) for point in range(1, 6)]
    _press(staff, "button:has-text('Refresh')")
    assert "Packed every Saturday" in staff.inner_text("main") and "Runs the job club" in staff.inner_text("main")

    _press(staff, "a:has-text('Record what the room agreed for Dover Library')")
    staff.fill("#deadweight", "25")
    staff.fill("#attribution", "10")
    staff.fill("#reason", "Regular users were already active; the job club shares credit with the council")
    _press(staff, "button:has-text('Record the agreed adjustments')")
    assert "agreed at workshop Dover Town impact workshop" in staff.inner_text("main")
    with app.app_context():
        row = db.session.scalars(select(ValuationAdjustment)).one()
        assert (row.deadweight, row.attribution, row.workshop is not None) == (0.25, 0.1, True)

    _press(staff, "button:has-text('Close the workshop')")
    assert "Workshop closed" in staff.inner_text("main")
    phone = phones[0]
    phone.reload()
    assert "This workshop has closed" in phone.inner_text("main")

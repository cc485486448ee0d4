"""The impact workshop in real Chromium: a researcher opens it, five participants rate on phone-sized
screens, the facilitator's screen shows the aggregates by polling (no reload), an adjustment is agreed,
the workshop is closed, and a participant then sees the closed page. Then the queued jobs run: the
profile pack from the web shows the room's ratings and the agreed reason, and a report built afterwards
has the workshop section and names the workshop in its provenance.

On the demo's data (`flask demo`, small), so the analysis has responses to work on; the demo's own
Dover Town workshop is there too, and the figures here are this workshop's."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from survey.datasets.report_build import report_from_database
from survey.extensions import db
from survey.models import ProfilePackJob, ValuationAdjustment, Workshop
from tests.a11y_support import audit
from tests.a11y_support import report as a11y_report
from tests.analysis.test_workshop_report import HEADING, section_rows
from tests.conftest import STAFF_PASSWORD
from tests.job_support import run_queued_jobs

PHONE = {"width": 390, "height": 844}
LIBRARY = "Dover Discovery Centre library"  # the demo's name for dover_library
REASON = "Regular users were already active; the job club shares credit with the council"
# (group radio index, social, economic, comment) for each participant's rating of the library.
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
    _press(page, f"a:has-text('Rate {LIBRARY}')")
    page.check(f"#social_impact-{social - 1}")
    page.check(f"#economic_impact-{economic - 1}")
    if comment:
        page.fill("#comment", comment)
    _press(page, "button:has-text('Save your rating')")
    assert f"Your rating: social impact {social}" in page.inner_text("main")
    # Nothing on the phone is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    return page


def test_a_workshop_from_opening_to_closing(app, browser, live_url, make_user, tmp_path: Path) -> None:
    from playwright.sync_api import expect  # imported once the browser fixture has found Chromium

    demo = app.test_cli_runner().invoke(args=["demo", "--responses", "60", "--no-paper"])
    assert demo.exit_code == 0, demo.output
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

    _press(staff, f"a:has-text('Record what the room agreed for {LIBRARY}')")
    staff.fill("#deadweight", "25")
    staff.fill("#attribution", "10")
    staff.fill("#reason", REASON)
    _press(staff, "button:has-text('Record the agreed adjustments')")
    assert "agreed at workshop Dover Town impact workshop" in staff.inner_text("main")
    with app.app_context():
        row = db.session.scalars(select(ValuationAdjustment).where(ValuationAdjustment.workshop_id.is_not(None))).one()
        assert (row.deadweight, row.attribution, row.workshop is not None) == (0.25, 0.1, True)

    staff.check("#confirm-close")
    _press(staff, "button:has-text('Close the workshop')")
    assert "Workshop closed" in staff.inner_text("main")
    phone = phones[0]
    phone.reload()
    assert "This workshop has closed" in phone.inner_text("main")

    _pack_and_report_show_the_workshop(app, staff, live_url, tmp_path)


def _pack_and_report_show_the_workshop(app: Any, staff: Any, live_url: str, tmp_path: Path) -> None:
    """After the workshop: the queued jobs run, then the pack and a new report carry what the room said."""
    with app.app_context():
        workshop = db.session.scalars(select(Workshop).where(Workshop.status == "closed")).one()
        title = f"{workshop.title} ({workshop.held_on.day} {workshop.held_on:%B %Y})"  # as pages write dates
        report_title = f"{workshop.title} ({workshop.held_on.isoformat()})"  # the report's table: data
    run_queued_jobs(app)  # the figures the agreed adjustment queued
    staff.goto(f"{live_url}/research/communities/dover-town/profile-packs")
    _press(staff, "button:has-text('Make a profile pack')")
    run_queued_jobs(app)
    with app.app_context():
        job_id = db.session.scalars(select(ProfilePackJob.id)).one()
    pack = staff.request.get(f"{live_url}/research/profile-packs/{job_id}/profiles.html")
    assert pack.status == 200
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", pack.text())))
    social, economic = (np.array([row[column] for row in ROOM]) for column in (1, 2))
    assert f"{title}: 5 participants rated it." in text
    assert f"Social impact median {np.median(social):.1f} out of 5" in text
    assert f"economic impact median {np.median(economic):.1f} out of 5" in text
    assert REASON in text

    with app.app_context():
        paths = report_from_database(db.engine, tmp_path, communities=["dover-town"])
    document = paths["report"].read_text(encoding="utf-8")
    assert HEADING in document
    [row] = [cells for cells in section_rows(document) if cells[0] == LIBRARY and cells[2] == report_title]
    assert row[3] == "5"
    assert row[5] == " / ".join(str(int((social == point).sum())) for point in range(1, 6))
    assert row[7] == " / ".join(str(int((economic == point).sum())) for point in range(1, 6))
    assert "Packed every Saturday" not in document  # comments stay out of the shared report
    opened = staff.context.new_page()
    opened.goto(paths["report"].as_uri())  # as a reader opens the downloaded file
    violations = audit(opened, "report-with-workshop-section")
    assert violations == [], a11y_report(violations)
    provenance = json.loads(paths["provenance"].read_text(encoding="utf-8"))
    assert report_title in provenance["workshops"]
    agreed = [item for item in provenance["adjustments"] if item["asset"] == "dover_library"]
    assert [item["source"] for item in agreed] == [f"workshop {report_title}"]

"""Issue 15's "done when", in real Chromium on the demo: a researcher records a deep dive (its notes
uploaded as a .docx), codes a paragraph to the library, sees the quote on the library's profile and in
the profile pack made from the web, and sees Dover Town's assets on the map with the tile server blocked."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path
from typing import Any

import docx
from sqlalchemy import select

from survey.extensions import db
from survey.models import Asset, DeepDive, ProfilePackJob
from tests.conftest import STAFF_PASSWORD
from tests.job_support import run_queued_jobs

LIBRARY = "Dover Discovery Centre library"
QUOTE = "The library's warm room is where I met the people I now walk with on Sundays."


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _notes_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Notes from a conversation at the Discovery Centre.")
    document.add_paragraph(QUOTE)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_a_deep_dive_recorded_coded_and_quoted_and_the_assets_on_a_map(
    app, browser, live_url, make_user, tmp_path: Path
) -> None:
    demo = app.test_cli_runner().invoke(args=["demo", "--responses", "60", "--no-paper"])
    assert demo.exit_code == 0, demo.output
    make_user("researcher@example.org", "researcher")
    staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    tiles: list[str] = []

    def block(route: Any) -> None:
        tiles.append(route.request.url)
        route.abort()

    staff.route("https://tile.openstreetmap.org/**", block)
    staff.goto(f"{live_url}/login")
    staff.fill("#email", "researcher@example.org")
    staff.fill("#password", STAFF_PASSWORD)
    _press(staff, "button[type=submit]")

    # Record: the notes come from a .docx; the date is before the demo's, so this quote is listed first.
    _press(staff, "nav a:has-text('Deep dives')")
    _press(staff, "a:has-text('Record a deep dive')")
    staff.fill("#participant_code", "dov-09")
    staff.select_option("#community", "dover-town")
    staff.fill("#held_on-day", "15")
    staff.fill("#held_on-month", "1")
    staff.fill("#held_on-year", "2026")
    staff.check("#consent_recording-1")  # no
    staff.check("#consent_quotation-0")  # yes
    staff.check("#consent_sharing-0")  # yes
    staff.set_input_files("#file", str(_notes_docx(tmp_path / "notes.docx")))
    _press(staff, "button:has-text('Record the deep dive')")
    assert "Deep dive with DOV-09" in staff.inner_text("h1")
    assert QUOTE in staff.inner_text("main")

    # Code the second paragraph: the library, and "Connect".
    _press(staff, "a:has-text('Code this deep dive')")
    staff.get_by_label("Paragraph 2").check()
    staff.get_by_label(LIBRARY, exact=True).check()
    staff.get_by_label("Connect", exact=True).check()
    _press(staff, "button:has-text('Code the excerpt')")
    with app.app_context():
        deep_dive = db.session.scalars(select(DeepDive).filter_by(participant_code="DOV-09")).one()
        [excerpt] = deep_dive.excerpts
        assert deep_dive.transcript[excerpt.start : excerpt.end] == QUOTE == excerpt.text
        coded = {code.asset.slug if code.asset else code.sixways for code in excerpt.codes}
        assert coded == {"dover_library", "connect"}
        located = db.session.scalars(select(Asset).where(Asset.latitude.is_not(None))).all()
        located_here = [asset for asset in located if asset.community.slug == "dover-town" and not asset.retired]

    # The library's profile quotes it, signed with the participant code only.
    staff.goto(f"{live_url}/research/assets/dover_library/profile")
    profile = staff.inner_text("main")
    assert QUOTE in profile and "participant DOV-09, interviewed 15 January 2026" in profile

    # The pack made from the web quotes it too.
    staff.goto(f"{live_url}/research/communities/dover-town/profile-packs")
    _press(staff, "button:has-text('Make a profile pack')")
    run_queued_jobs(app)
    with app.app_context():
        job_id = db.session.scalars(select(ProfilePackJob.id)).one()
    pack = staff.request.get(f"{live_url}/research/profile-packs/{job_id}/profiles.html")
    assert pack.status == 200
    assert QUOTE in _text(pack.text()) and "participant DOV-09" in _text(pack.text())

    # Dover Town's assets on the map, with the tile server blocked: one marker per located asset.
    staff.goto(f"{live_url}/research/communities/dover-town/assets")
    staff.wait_for_selector("path.app-asset-map__marker")
    assert len(located_here) >= 3
    assert staff.locator("path.app-asset-map__marker").count() == len(located_here)
    assert tiles, "the map asked for tiles (and they were blocked)"

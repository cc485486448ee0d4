"""Axe (WCAG 2.0-2.2 A/AA) on the deep-dive pages the role matrix cannot reach by a plain GET: the
recording form with its errors, the edit form with errors, the erasure form with errors, its
confirmation page, and the list after an erasure left a community without deep dives. (The list
with rows, the empty form, a deep dive's page and its edit form are checked from the role matrix.)"""

from __future__ import annotations

from typing import Any

from tests.a11y_support import audit, report
from tests.test_accessibility import Site, chromium, pages, site  # noqa: F401  (the module's fixtures)


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_deep_dive_pages_in_every_state_meet_wcag_a_and_aa(site: Site, pages: dict[str, Any]) -> None:  # noqa: F811
    violations = []
    peer = pages["peer"]
    peer.goto(f"{site.url}/research/deep-dives/new")
    peer.fill("#participant_code", "Jane Smith")
    peer.fill("#held_on-year", "")
    _press(peer, "button:has-text('Record the deep dive')")
    assert peer.locator(".error-summary").count() == 1
    assert "never a name or email" in peer.inner_text("main")
    violations += audit(peer, "peer-deep-dive-new-errors")

    peer.goto(f"{site.url}/research/deep-dives/{site.ids['deep_dive_own']}/edit")
    assert "carry 1 code" in peer.inner_text("main")  # the warning before an edit
    peer.fill("#participant_code", "")
    _press(peer, "button:has-text('Save the changes')")
    assert peer.locator(".error-summary").count() == 1
    violations += audit(peer, "peer-deep-dive-edit-errors")

    staff = pages["researcher"]
    staff.goto(f"{site.url}/research/deep-dives/erase")
    _press(staff, "button:has-text('Continue')")
    assert staff.locator(".error-summary").count() == 1
    violations += audit(staff, "researcher-deep-dive-erase-errors")
    staff.fill("#participant_code", "matrix-own")
    staff.select_option("#community", "dover-town")
    _press(staff, "button:has-text('Continue')")
    assert "1 deep dive" in staff.inner_text("#erasure-counts")
    violations += audit(staff, "researcher-deep-dive-erase-confirm")
    _press(staff, "button:has-text('Erase them')")
    assert "Erased 1 deep dive of MATRIX-OWN" in staff.inner_text("main")
    # The coding pages' deep dive in the same community goes too, so the list below is empty.
    staff.goto(f"{site.url}/research/deep-dives/erase")
    staff.fill("#participant_code", "coding-own")
    staff.select_option("#community", "dover-town")
    _press(staff, "button:has-text('Continue')")
    _press(staff, "button:has-text('Erase them')")
    assert "Erased 1 deep dive of CODING-OWN" in staff.inner_text("main")
    staff.goto(f"{site.url}/research/deep-dives?community=dover-town")
    assert "No deep dives recorded in Dover Town yet." in staff.inner_text("main")
    violations += audit(staff, "researcher-deep-dives-empty")
    assert violations == [], report(violations)

"""Axe (WCAG 2.0-2.2 A/AA) on the impact workshop pages the role matrix cannot reach by a plain GET:
a wrong code, the assets list after joining, the rating form with its errors and after a rating, the
closed page, and the staff side's opening form, facilitator's screen and adjustments form with errors."""

from __future__ import annotations

from typing import Any

from tests.a11y_support import audit, report
from tests.test_accessibility import Site, chromium, pages, site  # noqa: F401  (the module's fixtures)


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_workshop_pages_in_every_state_meet_wcag_a_and_aa(site: Site, pages: dict[str, Any]) -> None:  # noqa: F811
    violations = []
    participant = pages["anonymous"]
    participant.goto(f"{site.url}/w")
    participant.fill("#code", "aaaa-aaaa")
    _press(participant, "button[type=submit]")
    assert "No workshop has that code" in participant.inner_text("main")
    violations += audit(participant, "participant-workshop-wrong-code")

    participant.fill("#code", site.ids["workshop_code_own"].lower())
    _press(participant, "button[type=submit]")
    participant.check("#participant_group-1")
    _press(participant, "button:has-text('Join the workshop')")
    assert "You are participant" in participant.inner_text("main")
    violations += audit(participant, "participant-workshop-assets")

    _press(participant, "a:has-text('Rate ')")
    _press(participant, "button:has-text('Save your rating')")
    assert participant.locator(".govuk-error-summary").count() == 1
    violations += audit(participant, "participant-workshop-rating-errors")
    participant.check("#social_impact-3")
    participant.check("#economic_impact-1")
    participant.fill("#comment", "Well used by families")
    _press(participant, "button:has-text('Save your rating')")
    assert "Your rating: social impact 4" in participant.inner_text("main")
    violations += audit(participant, "participant-workshop-rated")

    staff = pages["researcher"]
    staff.goto(f"{site.url}/research/workshops/new?community=dover-town")
    violations += audit(staff, "researcher-workshop-open-form")
    staff.fill("#title", "")
    _press(staff, "button:has-text('Open the workshop')")
    assert staff.locator(".error-summary").count() == 1
    violations += audit(staff, "researcher-workshop-open-form-errors")

    staff.goto(f"{site.url}/research/workshops/{site.ids['workshop_own']}")
    assert "Well used by families" in staff.inner_text("main")
    violations += audit(staff, "researcher-workshop-facilitator")
    staff.goto(f"{site.url}/research/workshops/{site.ids['workshop_own']}/assets/{site.ids['asset_own']}/adjustments")
    staff.fill("#deadweight", "150")
    _press(staff, "button:has-text('Record the agreed adjustments')")
    assert staff.locator(".error-summary").count() == 1
    violations += audit(staff, "researcher-workshop-adjustment-errors")

    staff.goto(f"{site.url}/research/workshops/{site.ids['workshop_close_own']}")
    staff.check("#confirm-close")
    _press(staff, "button:has-text('Close the workshop')")
    participant.goto(f"{site.url}/w/{site.ids['workshop_close_code_own']}")
    assert "This workshop has closed" in participant.inner_text("main")
    violations += audit(participant, "participant-workshop-closed")
    assert violations == [], report(violations)

"""Axe (WCAG 2.0-2.2 A/AA) on the valuation adjustment pages reached only by POST: the edit form with
its errors, the adjustments.csv upload's problem report and dry-run preview, and Remove's confirmation."""

from __future__ import annotations

from typing import Any

from tests.a11y_support import audit, report
from tests.test_accessibility import Site, chromium, pages, site  # noqa: F401  (the module's fixtures)


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_adjustment_pages_reached_by_post_meet_wcag_a_and_aa(site: Site, pages: dict[str, Any]) -> None:  # noqa: F811
    page = pages["researcher"]
    violations = []
    base = f"{site.url}/research/campaigns/dover-town/adjustments"

    page.goto(f"{base}/dover_library")
    page.fill("#deadweight", "150")
    _press(page, "button:has-text('Save the adjustments')")
    assert page.locator(".error-summary").count() == 1 and page.locator("#deadweight").input_value() == "150"
    violations += audit(page, "researcher-adjustment-form-errors")

    bad = b"asset,deadweight,attribution,displacement,drop_off,years,reason\nnowhere,2,0,0,0,0,\n"
    page.goto(base)
    page.set_input_files("input[type=file]", {"name": "adjustments.csv", "mimeType": "text/csv", "buffer": bad})
    _press(page, "form[enctype] button[type=submit]")
    assert "Nothing was saved" in page.inner_text("main")
    violations += audit(page, "researcher-adjustments-upload-problems")

    good = b"asset,deadweight,attribution,displacement,drop_off,years,reason,agreed_by\n"
    good += b"dover_library,0.2,0.1,0,0,1,Workshop,Impact workshop\n"
    page.goto(base)
    page.set_input_files("input[type=file]", {"name": "adjustments.csv", "mimeType": "text/csv", "buffer": good})
    _press(page, "form[enctype] button[type=submit]")
    assert "The file is valid." in page.inner_text("main")
    violations += audit(page, "researcher-adjustments-upload-preview")

    page.goto(f"{base}/dover_library")
    page.fill("#deadweight", "20")
    page.fill("#reason", "Agreed at the workshop")
    page.fill("#agreed_by", "Impact workshop")  # required: reports use adjustments only once it is recorded
    _press(page, "button:has-text('Save the adjustments')")
    _press(page, "form[action$='/dover_library/remove'] button")
    assert "Remove the adjustments for" in page.inner_text("h1")  # asked first
    violations += audit(page, "researcher-adjustments-remove-confirm")
    assert violations == [], report(violations)

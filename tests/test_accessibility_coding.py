"""Axe (WCAG 2.0-2.2 A/AA) on the coding pages in each state: the coding page with its excerpts, its
errors and a selection shown by the script, an excerpt's codes with errors and its delete confirmation,
the codebook with its form errors and the delete confirmation, the retrieval list with results and with
a wrong filter, the counts."""

from __future__ import annotations

from typing import Any

from tests.a11y_support import audit, report
from tests.test_accessibility import Site, chromium, pages, site  # noqa: F401  (the module's fixtures)


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_coding_pages_in_every_state_meet_wcag_a_and_aa(site: Site, pages: dict[str, Any]) -> None:  # noqa: F811
    from playwright.sync_api import expect  # imported once the fixtures have found Chromium

    violations = []
    staff = pages["researcher"]
    base, ids = site.url, site.ids
    deep_dive, campaign, community = ids["coded_deep_dive_own"], ids["campaign_own"], ids["community_own"]

    staff.goto(f"{base}/research/deep-dives/{deep_dive}/code")
    assert staff.locator("#excerpts").count() == 1 and staff.locator("[data-transcript] span[data-start]").count() == 2
    violations += audit(staff, "researcher-code-deep-dive")
    _press(staff, "button:has-text('Code the excerpt')")
    assert staff.locator(".error-summary").count() == 1
    # First in <main>, above the h1, and focused on load (GOV.UK Frontend's ErrorSummary): the page had
    # it below the h1 and two paragraphs.
    expect(staff.locator("main > .govuk-error-summary:first-child")).to_be_focused()
    violations += audit(staff, "researcher-code-deep-dive-errors")
    staff.dblclick("[data-transcript] span[data-start='18']")  # the word at its centre, "paragraph", selected
    # expect() waits without evaluating strings, which the Content Security Policy forbids.
    expect(staff.locator("[data-selection-preview]")).to_contain_text("Selected characters 25 to 34: “paragraph”")
    violations += audit(staff, "researcher-code-deep-dive-selection")

    staff.goto(f"{base}/research/deep-dives/{deep_dive}/excerpts/{ids['excerpt_own']}/codes")
    ticked = staff.locator("input[type=checkbox]:checked")
    assert ticked.count() == 2
    while ticked.count():
        ticked.first.uncheck()
    _press(staff, "button:has-text('Save the codes')")
    assert staff.locator(".error-summary").count() == 1
    expect(staff.locator("main > .govuk-error-summary:first-child")).to_be_focused()
    violations += audit(staff, "researcher-excerpt-codes-errors")

    staff.goto(f"{base}/research/deep-dives/{deep_dive}/code")
    _press(staff, f"form[action$='/excerpts/{ids['excerpt_own']}/delete'] button")
    assert "Delete the excerpt" in staff.inner_text("h1")  # asked first; nothing deleted yet
    violations += audit(staff, "researcher-excerpt-delete-confirm")

    staff.goto(f"{base}/research/campaigns/{campaign}/themes/new")
    staff.fill("#key", "Not a key!")
    _press(staff, "button:has-text('Add the theme')")
    assert staff.locator(".error-summary").count() == 1
    violations += audit(staff, "researcher-theme-form-errors")
    staff.goto(f"{base}/research/campaigns/{campaign}/themes")
    _press(staff, f"form[action$='/themes/{ids['theme_own']}/delete'] button")
    assert "Delete the theme" in staff.inner_text("h1")
    violations += audit(staff, "researcher-theme-delete-confirm")

    staff.goto(f"{base}/research/excerpts?community={community}&sixways=connect")
    assert staff.locator("mark").count() >= 1
    violations += audit(staff, "researcher-excerpts-found")
    staff.goto(f"{base}/research/excerpts?asset=nowhere")
    assert staff.locator(".error-summary").count() == 1
    violations += audit(staff, "researcher-excerpts-filter-errors")
    staff.goto(f"{base}/research/communities/{community}/excerpts")
    violations += audit(staff, "researcher-excerpt-counts")
    assert violations == [], report(violations)

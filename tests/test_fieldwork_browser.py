"""Interviews in real Chromium (issue 16 part 6), with axe (WCAG 2.0-2.2 A/AA) at 390 and 1280 px on each
new page state: the consent page's missing tick, the end page with its support details and "Start the
next interview", the list of unfinished interviews, and discarding one."""

from __future__ import annotations

from typing import Any

from tests.a11y_support import Violation, audit, report
from tests.test_accessibility import Site, chromium, pages, site  # noqa: F401  (the module's fixtures)

CAMPAIGN = "dover-town"  # the role matrix's campaign in the peer's own community


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _answer_every_question(page: Any) -> None:
    """The fourth option (or the last, if fewer) of every radio group, set the way a click would: the
    survey's styled scales draw their own boxes, so the inputs themselves may be hidden."""
    page.evaluate(
        """() => { const groups = {};
          document.querySelectorAll('main input[type=radio]').forEach(e => (groups[e.name] ||= []).push(e));
          Object.values(groups).forEach(g => { const e = g[Math.min(3, g.length - 1)]; e.checked = true;
            e.dispatchEvent(new Event('change', {bubbles: true})); }); }"""
    )


def _start(page: Any, site: Site) -> None:  # noqa: F811  (the fixture, passed on)
    page.goto(f"{site.url}/fieldwork/")
    _press(page, f"a[href='/fieldwork/interview/{CAMPAIGN}/start']")
    page.check("#consent")
    _press(page, "form[action$='/start'] button[type=submit]")
    assert "/page/1" in page.url, page.url


def test_an_interview_ends_with_support_details_and_the_next_interview(site: Site, pages: dict[str, Any]) -> None:  # noqa: F811
    page = pages["peer"]
    violations: list[Violation] = []
    page.goto(f"{site.url}/fieldwork/interview/{CAMPAIGN}/start")
    assert page.locator("#privacy-notice").is_visible()
    _press(page, "form[action$='/start'] button[type=submit]")  # consent not ticked
    summary = page.locator(".govuk-error-summary a[href='#consent']")
    assert summary.count() == 1 and "agrees to take part" in summary.inner_text()
    violations += audit(page, "peer-fieldwork-interview-consent-errors")

    page.check("#consent")
    _press(page, "form[action$='/start'] button[type=submit]")
    for _ in range(8):  # each part, then any check-answers step, until the end page
        if page.url.endswith("/done"):
            break
        _answer_every_question(page)
        _press(
            page,
            "main form button[type=submit] >> nth=-1"
            if page.locator("button[value=next]").count() == 0
            else "button[value=next]",
        )
    assert page.url.endswith("/done"), page.url
    main = page.locator("main")
    assert "Interview saved" in main.inner_text() and "Support to hand over" in main.inner_text()
    hrefs = main.locator("a[href^='tel:'], a[href^='sms:']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert {"tel:111", "tel:116123", "tel:999", "sms:85258"} <= set(hrefs)
    violations += audit(page, "peer-fieldwork-interview-done")

    _press(page, "a:has-text('Start the next interview')")
    assert page.url.endswith(f"/fieldwork/interview/{CAMPAIGN}/start") and page.locator("#consent").count() == 1
    assert not page.locator("#consent").is_checked()
    assert violations == [], report(violations)


def test_a_peer_discards_an_unfinished_interview(site: Site, pages: dict[str, Any]) -> None:  # noqa: F811
    page = pages["peer"]
    violations: list[Violation] = []
    _start(page, site)
    _answer_every_question(page)
    _press(page, "button[value=next]")
    page.goto(f"{site.url}/fieldwork/")
    rows = page.locator("[data-unfinished-interview]")
    before = rows.count()
    assert before >= 1
    newest = rows.nth(0)
    assert "Dover Town" in newest.inner_text() and "part 2 of" in newest.inner_text()
    violations += audit(page, "peer-fieldwork-unfinished-interviews")

    _press(page, "[data-unfinished-interview] >> nth=0 >> a:has-text('Discard')")
    assert page.locator("h1").inner_text() == "Discard this interview?"
    _press(page, "button:has-text('Discard the interview')")
    assert page.url.endswith("/fieldwork/")
    assert "Interview discarded" in page.locator(".govuk-notification-banner, [role=status]").first.inner_text()
    assert page.locator("[data-unfinished-interview]").count() == before - 1
    violations += audit(page, "peer-fieldwork-interview-discarded")
    assert violations == [], report(violations)

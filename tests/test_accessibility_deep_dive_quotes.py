"""Axe (WCAG 2.0-2.2 A/AA) at 390 and 1280 px on the pages that show deep-dive quotes: an asset profile
(a researcher's and, read-only, a peer's) and a workshop card, each with a synthetic, long quote."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.a11y_support import Violation, audit, report
from tests.quote_support import Said, add_deep_dive
from tests.test_accessibility import Site, chromium, pages, site  # noqa: F401  (the module's fixtures)

ASSET = "dover_library"
WORDS = " ".join(["The library is the one place in town where nobody asks why you are there."] * 8)


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_pages_with_deep_dive_quotes_meet_wcag_a_and_aa(site: Site, pages: dict[str, Any]) -> None:  # noqa: F811
    add_deep_dive(
        site.app,
        site.ids["community_own"],
        "DOV-07",
        date(2026, 3, 12),
        [Said(WORDS, (ASSET,), ("connect",))],
        synthetic=True,
    )
    violations: list[Violation] = []
    page = pages["researcher"]
    page.goto(f"{site.url}/research/assets/{ASSET}/profile")
    main = page.inner_text("main")
    assert "What people said in deep-dive interviews" in main and "participant DOV-07" in main
    assert page.locator("blockquote").count() == 1
    violations += audit(page, "researcher-asset-profile-with-quotes")

    peer = pages["peer"]
    peer.goto(f"{site.url}/fieldwork/assets/{ASSET}/profile")
    assert "participant DOV-07" in peer.inner_text("main")
    violations += audit(peer, "peer-asset-profile-with-quotes")

    participant = pages["anonymous"]
    participant.goto(f"{site.url}/w/{site.ids['workshop_code_own']}")
    if participant.locator("button:has-text('Join the workshop')").count():
        _press(participant, "button:has-text('Join the workshop')")
    assert "One resident's words" in participant.inner_text("main")
    violations += audit(participant, "participant-workshop-card-with-quote")
    assert violations == [], report(violations)

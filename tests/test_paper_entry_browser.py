"""Paper keying in real Chromium (issue 16 part 7): an invalid code is flagged as it is typed (paper_entry.js;
the server still checks everything), the entry boxes stay in one column across sections, item numbers
never wrap; axe (WCAG 2.0-2.2 A/AA) at 390 and 1280 px on the page with a flagged entry."""

from __future__ import annotations

from tests.a11y_support import audit, report
from tests.browser_support import sign_in
from tests.conftest import STAFF_PASSWORD
from tests.test_paper_browser import _focused
from tests.test_paper_support import PEER, issue, paper_setup


def _keying_page(app, make_campaign, make_user, live_url, browser, width: int = 1280):
    paper_setup(make_campaign, make_user, percent=0)
    (serial,) = issue(app, size=1)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_url, PEER, STAFF_PASSWORD)
    page.goto(f"{live_url}/paper/forms/{serial}/entry")
    return context, page


def _flag(page, name: str) -> dict:
    return page.evaluate(
        """name => { const field = document.querySelector(`input[name="${name}"]`);
          const message = document.getElementById('live-' + field.id);
          return {invalid: field.getAttribute('aria-invalid'), described: field.getAttribute('aria-describedby'),
                  message: message ? message.textContent : null,
                  error: field.classList.contains('govuk-input--error')}; }""",
        name,
    )


def test_an_invalid_code_is_flagged_as_it_is_typed(app, make_campaign, make_user, live_url, browser):
    context, page = _keying_page(app, make_campaign, make_user, live_url, browser)
    page.click("input[name=wemwbs_1]")
    page.keyboard.type("7")
    flagged = _flag(page, "wemwbs_1")
    assert flagged["invalid"] == "true" and flagged["error"]
    assert flagged["message"] == "\u201c7\u201d is not a code for this question: type 1, 2, 3, 4, 5, b or m."
    assert "live-f-wemwbs_1" in flagged["described"]
    page.keyboard.press("Enter")
    assert _focused(page)["name"] == "wemwbs_1"  # a flagged entry keeps the focus
    page.keyboard.press("Backspace")
    assert _flag(page, "wemwbs_1") == {"invalid": None, "described": "codes-1", "message": None, "error": False}
    page.keyboard.type("4")
    assert _focused(page)["name"] == "wemwbs_2"  # a complete valid code still moves on

    page.click("input[name=years_in_area]")
    page.keyboard.type("15")
    assert _flag(page, "years_in_area")["message"] is None  # could still be right
    page.keyboard.type("0")
    assert _flag(page, "years_in_area")["message"] == "150 is not between 0 and 100: check the form, or type m."
    page.fill("input[name=years_in_area]", "")
    page.keyboard.type("x")
    assert "is not a whole number" in _flag(page, "years_in_area")["message"]
    violations = audit(page, "peer-paper-forms-entry-flagged-as-typed")
    context.close()
    assert violations == [], report(violations)


def test_the_entry_column_stays_in_one_place_and_numbers_do_not_wrap(app, make_campaign, make_user, live_url, browser):
    context, page = _keying_page(app, make_campaign, make_user, live_url, browser)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        lefts = page.eval_on_selector_all(
            "input[data-entry]", "els => [...new Set(els.map(e => Math.round(e.getBoundingClientRect().left)))]"
        )
        assert len(lefts) == 1, (width, lefts)  # every section's entry boxes in one column
        wrapped = page.eval_on_selector_all(
            "td.app-nowrap",
            """els => els.filter(e => { const r = document.createRange(); r.selectNodeContents(e);
                return r.getClientRects().length > 1; }).map(e => e.textContent)""",
        )
        assert wrapped == [], (width, wrapped)
    context.close()

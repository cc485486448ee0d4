"""A resident completes the whole survey in real Chromium, JavaScript off, keyboard only."""

from __future__ import annotations

from sqlalchemy import select

from survey.extensions import db
from survey.models import Response


def _answer_page_with_keyboard(page) -> None:
    """Tab through the page; in each unanswered radio group pick the 4th option with arrow keys."""
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || ''}; }"
        )
        if focused["tag"] == "BUTTON" and focused["value"] in ("next", "submit"):
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        if focused["type"] == "radio":
            # Space selects the focused (first) option; arrows move the selection within the group.
            page.keyboard.press("Space")
            if focused["name"].endswith("-uses"):
                continue  # "Yes" (the first option) to "Do you go to ...?"
            option_count = page.locator(f'input[name="{focused["name"]}"]').count()
            for _ in range(min(3, option_count - 1)):
                page.keyboard.press("ArrowDown")
        elif focused["tag"] == "INPUT" and focused["type"] in ("text", "number"):
            page.keyboard.type("12" if focused["name"] == "years_in_area" else "CT16")
    raise AssertionError("never reached the submit button")


def test_resident_completes_the_survey_with_keyboard_and_no_javascript(app, make_campaign, live_url, browser):
    make_campaign(show_score=True)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_url}/s/dover-town")
    assert "It takes about" in page.content()
    # Consent: tab to the checkbox, tick it with Space, tab to Start, press Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "consent":
            break
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/page/1")
    for number in range(1, 5):
        assert f"Part {number} of 4" in page.content()
        _answer_page_with_keyboard(page)
        if number == 3:
            # Without JavaScript, "How often" is asked on the same page once "Yes" is saved.
            assert "Now tell us how often" in page.content()
            _answer_page_with_keyboard(page)
    assert page.url.endswith("/check")
    assert "Check your answers" in page.content()
    _answer_page_with_keyboard(page)  # Tab to "Submit my answers", press Enter
    assert page.url.endswith("/done")
    assert "Thank you" in page.content()
    # Fourth option everywhere: WEMWBS "Often" = 4 on all 14 items gives 56.
    assert "56" in page.locator(".app-feedback").inner_text()
    context.close()

    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.status == "complete"
        values = {answer.item_key: answer.value for answer in response.answers}
        assert [values[f"wemwbs_{i}"] for i in range(1, 15)] == [4] * 14
        # "Yes" to both assets, then "How often" asked on the page shown again: the fourth option, 4.
        assert {(use.uses, use.frequency) for use in response.asset_uses} == {(True, 4)}

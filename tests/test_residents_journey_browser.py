"""The residents' journey in real Chromium: the phone length of the demo survey, resuming where one
left off, a shared tablet, and "Check your answers" with its Change links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response

PHONE = {"width": 390, "height": 844}
SWANLEY_USED = ("asset_swanley_park-uses", "asset_swanley_library-uses")  # a resident who uses two assets


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _answer(page: Any, yes: tuple[str, ...] = ()) -> None:
    """Every question shown: "Yes" to the screeners named in `yes` ("No" to the others), then the
    fourth option (or the last) of each radio group shown, "Prefer not to say" never chosen."""
    for screener in page.eval_on_selector_all("input[name$='-uses']", "els => [...new Set(els.map(e => e.name))]"):
        page.check(f'input[name="{screener}"][value="{1 if screener in yes else 0}"]')
    names = page.eval_on_selector_all("input[type=radio]", "els => [...new Set(els.map(e => e.name))]")
    for name in names:
        if name.endswith("-uses"):
            continue
        options = page.locator(f'input[type=radio][name="{name}"]:not([value="declined"])')
        if options.first.is_visible():
            options.nth(min(3, options.count() - 1)).check()


def _start(page: Any, url: str) -> None:
    page.goto(url)
    page.check("#consent")
    _press(page, "button[type=submit]")


def test_the_demo_swanley_survey_takes_at_most_14_phone_screens(app, live_url, browser):
    from survey.demo.build import load_demo

    with app.app_context():
        load_demo(per_community=1, paper=False)
        db.session.commit()
    page = browser.new_context(viewport=PHONE).new_page()
    _start(page, f"{live_url}/s/swanley")
    screens: list[float] = []
    while "/page/" in page.url:
        _answer(page, yes=SWANLEY_USED)  # follow-ups appear as they are answered: measure the page then
        screens.append(page.evaluate("document.documentElement.scrollHeight") / PHONE["height"])
        if page.locator("input[name$='-uses']").count():
            text = page.content()
            assert "Do you go to Swanley Park?" in text
            assert "Do you take part in the Good neighbours scheme?" in text
            assert page.locator(".app-followup:not(.app-followup--hidden)").count() == 2  # how often: users only
        _press(page, "button[value=next]")
    print(f"\nSwanley on a 390x844 phone: {[round(s, 2) for s in screens]} = {sum(screens):.2f} screens")
    assert len(screens) == 5  # ONS4, WEMWBS, six ways, places, about you
    assert sum(screens) <= 14
    assert page.url.endswith("/check")
    # The WEMWBS page keeps the scale's name and its copyright notice in view.
    page.goto(f"{live_url}/s/swanley/page/2")
    assert "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)" in page.locator(".app-part").inner_text()
    assert "NHS Health Scotland" in page.locator(".app-copyright").inner_text()
    # Each five-point question is one row that never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_resuming_in_another_browser_goes_to_the_page_saved_on(make_campaign, live_url, browser):
    slug = make_campaign()
    first = browser.new_context(viewport=PHONE).new_page()
    _start(first, f"{live_url}/s/{slug}")
    for _ in range(2):
        _answer(first, yes=("asset_dover_library-uses",))
        _press(first, "button[value=next]")
    assert first.url.endswith("/page/3")
    _press(first, "button[value=save]")
    code = first.locator(".resume-code").inner_text().strip()

    # "Carry on where you left off" on this device goes to the page saved on, too.
    first.goto(f"{live_url}/s/{slug}")
    _press(first, "text=Carry on where you left off")
    assert first.url.endswith("/page/3")
    assert "Your answers have been saved" in first.locator(".govuk-notification-banner").inner_text()

    second = browser.new_context(viewport=PHONE).new_page()
    second.goto(f"{live_url}/s/{slug}/resume")
    second.fill("#code", code.lower())
    _press(second, "button[type=submit]")
    assert second.url.endswith("/page/3")
    assert "Your answers have been saved" in second.locator(".govuk-notification-banner").inner_text()
    # The Back link shows the earlier answers, kept.
    _press(second, ".govuk-back-link")
    assert second.url.endswith("/page/2")
    assert second.locator("input[type=radio]:checked").count() == 12


def test_the_next_person_on_a_shared_tablet_sees_nothing_of_the_last(app, make_campaign, live_url, browser):
    slug = make_campaign(show_score=True)
    tablet = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _start(tablet, f"{live_url}/s/{slug}")
    while "/page/" in tablet.url:
        _answer(tablet)
        _press(tablet, "button[value=next]")
    _press(tablet, "button[type=submit]")
    assert tablet.url.endswith("/done")
    assert tablet.locator(".app-feedback").count() == 1  # the score, right after submitting

    # The next person: Back, reload, the URLs of the survey: nothing of the first person's response.
    for attempt in ("back", "back", "reload"):
        getattr(tablet, "go_back" if attempt == "back" else "reload")()
        text = tablet.content()
        assert "Your wellbeing score" not in text and 'name="contact_token"' not in text, tablet.url
        assert tablet.locator("input[type=radio]:checked").count() == 0, tablet.url
    for path in ("done", "page/1", "page/4", "check", "continue"):
        tablet.goto(f"{live_url}/s/{slug}/{path}")
        text = tablet.content()
        assert "Your wellbeing score" not in text and 'name="contact_token"' not in text, path
        assert tablet.locator("input[type=radio]:checked").count() == 0, path
    # Starting again is a fresh, empty survey and a new response.
    tablet.goto(f"{live_url}/s/{slug}")
    assert "Carry on where you left off" not in tablet.content()
    _start(tablet, f"{live_url}/s/{slug}")
    assert tablet.url.endswith("/page/1")
    assert tablet.locator("input[type=radio]:checked").count() == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 2


def test_check_your_answers_lists_every_answer_and_changes_one(app, make_campaign, live_url, browser):
    slug = make_campaign()
    page = browser.new_context(viewport=PHONE).new_page()
    _start(page, f"{live_url}/s/{slug}")
    while "/page/" in page.url:
        _answer(page, yes=("asset_dover_seafront-uses",))
        if page.locator("#gender-declined").count():
            page.check("#gender-declined")
        _press(page, "button[value=next]")
    assert page.url.endswith("/check")
    rows = page.locator(".govuk-summary-list__row")
    assert page.get_by_role("heading", name="Check your answers before you submit them").count() == 1
    wemwbs_1 = rows.filter(has_text="optimistic about the future")
    assert wemwbs_1.locator(".govuk-summary-list__value").inner_text().strip() == "Often"
    assert rows.filter(has_text="Do you go to Dover Library?").locator("dd").first.inner_text().strip() == "No"
    assert rows.filter(has_text="How often do you go to Dover Seafront?").count() == 1
    assert rows.filter(has_text="How often do you go to Dover Library?").count() == 0  # asked after "Yes" only
    assert rows.filter(has_text="gender").locator("dd").first.inner_text().strip() == "Prefer not to say"

    # Change one answer: its page, then straight back to the check page with the new answer.
    with page.expect_navigation():
        wemwbs_1.locator("a").click()
    assert page.url.endswith("/page/1?change=1")
    assert page.locator(".govuk-back-link").get_attribute("href").endswith("/check")
    page.check('input[name="wemwbs_1"][value="2"]')
    _press(page, "button[value=next]")
    assert page.url.endswith("/check")
    assert wemwbs_1.locator(".govuk-summary-list__value").inner_text().strip() == "Rarely"
    # A "No" changed to "Yes": "How often" appears at once (JavaScript) and is asked before coming back.
    with page.expect_navigation():
        rows.filter(has_text="Do you go to Dover Library?").locator("a").click()
    page.check('input[name="asset_dover_library-uses"][value="1"]')
    page.locator('input[name="asset_dover_library"]').nth(1).check()
    _press(page, "button[value=next]")
    assert page.url.endswith("/check")
    assert rows.filter(has_text="How often do you go to Dover Library?").locator("dd").first.inner_text().strip() == (
        "About once a month"
    )
    _press(page, "button[type=submit]")
    assert page.url.endswith("/done")
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.status == "complete"
        answers = {answer.item_key: (answer.value, answer.missing_reason) for answer in response.answers}
        assert answers["wemwbs_1"] == (2, None)
        assert answers["gender"] == (None, "declined")  # "Prefer not to say": a missing reason, no code
        uses = {use.campaign_asset.slug: (use.uses, use.frequency) for use in response.asset_uses}
        assert uses == {"dover_library": (True, 2), "dover_seafront": (True, 4)}


def test_the_saved_page_breaks_its_long_web_address_instead_of_widening_a_phone(make_campaign, live_url, browser):
    # "To come back later, go to http://.../s/<slug>/resume" was one unbroken word: 400 px wide on a
    # 390 px phone with the demo's /s/sheppey, more with a real domain or a longer survey address
    # (a hyphen gives the browser a place to break: this address has none).
    slug = make_campaign("sheppeyspring2026")
    page = browser.new_context(viewport=PHONE).new_page()
    _start(page, f"{live_url}/s/{slug}")
    _press(page, "button[value=save]")
    assert f"/s/{slug}/resume" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

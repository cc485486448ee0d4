"""Coding with JavaScript in real Chromium (issue 15, Must show 2): selecting words in the transcript with
the mouse fills the character range, counted in the stored transcript's characters although the page
shows its \\r\\n line breaks as one; the form then posts as without JavaScript and the excerpt's offsets are
exact. A selection across paragraphs, or starting on a checkbox label, lands on the nearest words."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from survey.extensions import db
from survey.models import Campaign, DeepDive, Excerpt
from tests.browser_support import sign_in
from tests.coding_support import TRANSCRIPT, add_deep_dive, add_theme, community
from tests.conftest import STAFF_PASSWORD

RESEARCHER = "js.coder@example.org"
# Where a character is on screen: a one-character range's box (from the line's own text node).
CHARACTER_BOX = """([start, offset]) => {
  const line = document.querySelector(`[data-transcript] span[data-start="${start}"]`);
  const range = document.createRange();
  range.setStart(line.firstChild, offset);
  range.setEnd(line.firstChild, offset + 1);
  const box = range.getBoundingClientRect();
  return {left: box.left, right: box.right, y: box.top + box.height / 2};
}"""
# A selection made by script, as assistive technology or the keyboard would make one.
SELECT = """([fromSelector, fromOffset, toSelector, toOffset]) => {
  const node = (selector) => { const e = document.querySelector(selector); return e.firstChild || e; };
  window.getSelection().setBaseAndExtent(node(fromSelector), fromOffset, node(toSelector), toOffset);
}"""


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _line(start: int) -> str:
    return f'[data-transcript] span[data-start="{start}"]'


def test_selecting_words_fills_the_range_and_codes_them_exactly(app, browser, live_url, make_campaign, make_user):
    from playwright.sync_api import expect  # imported once the browser fixture has found Chromium

    make_campaign("dover-town")
    make_user(RESEARCHER, "researcher")
    with app.app_context():
        campaign = db.session.scalars(select(Campaign)).one()
        deep_dive_id = add_deep_dive(community(), campaign=campaign).id
        db.session.commit()
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_url, RESEARCHER, STAFF_PASSWORD)
    page.goto(f"{live_url}/research/deep-dives/{deep_dive_id}/code")
    preview = page.locator("[data-selection-preview]")
    expect(preview).to_have_text("Select words in the transcript above to fill in the range.")

    # With the mouse: from "library" on paragraph 2's first line to the end of "Tuesday" on its second,
    # across the \r\n the page shows as one line break.
    first = TRANSCRIPT.index("library is")
    last = TRANSCRIPT.index("Tuesday") + len("Tuesday")
    begin = page.evaluate(CHARACTER_BOX, [42, first - 42])
    finish = page.evaluate(CHARACTER_BOX, [78, last - 1 - 78])
    page.mouse.move(begin["left"] + 1, begin["y"])
    page.mouse.down()
    page.mouse.move(finish["right"] - 1, finish["y"], steps=8)
    page.mouse.up()
    expect(page.locator("#start")).to_have_value(str(first))
    expect(page.locator("#end")).to_have_value(str(last))
    expect(preview).to_have_text(
        f"Selected characters {first} to {last}: “library is where I see people. I go every Tuesday”"
    )

    page.check("#sixways-0")
    _press(page, "button:has-text('Code the excerpt')")
    assert "1 excerpt coded." in page.inner_text("main")
    with app.app_context():
        excerpt = db.session.scalars(select(Excerpt)).one()
        assert (excerpt.start, excerpt.end) == (first, last)
        transcript = db.session.get(DeepDive, deep_dive_id).transcript  # type: ignore[union-attr]
        assert excerpt.text == transcript[first:last] == "library is where I see people.\r\nI go every Tuesday"

    # Across paragraphs: from inside paragraph 1 to inside paragraph 3, checkboxes and labels between.
    page.evaluate(SELECT, [_line(0), 12, _line(104), 9])
    expect(page.locator("#start")).to_have_value("12")
    expect(page.locator("#end")).to_have_value("113")
    # Starting on the "Paragraph 3" label (outside any line): the range starts at that paragraph's words.
    page.evaluate(SELECT, ["label[for=paragraphs-2]", 0, _line(104), 4])
    expect(page.locator("#start")).to_have_value("104")
    expect(page.locator("#end")).to_have_value("108")
    expect(preview).to_have_text("Selected characters 104 to 108: “=SUM”")
    page.check("#sixways-1")
    _press(page, "button:has-text('Code the excerpt')")
    with app.app_context():
        spans = [(e.start, e.end, e.text) for e in db.session.scalars(select(Excerpt).order_by(Excerpt.start))]
    assert spans == [(first, last, TRANSCRIPT[first:last]), (104, 108, "=SUM")]


def test_characters_beyond_the_basic_plane_count_as_one(app, browser, live_url, make_campaign, make_user):
    """Python counts an emoji as one character, JavaScript strings as two: the offsets must be Python's."""
    from playwright.sync_api import expect

    make_campaign("dover-town")
    make_user(RESEARCHER, "researcher")
    transcript = "Fish 🐟 and chips 🍟🍟 by the sea.\n\nThe 𝒮eafront walks."
    with app.app_context():
        deep_dive_id = add_deep_dive(community(), "DOV-12", transcript).id
        db.session.commit()
    page = browser.new_context().new_page()
    sign_in(page, live_url, RESEARCHER, STAFF_PASSWORD)
    page.goto(f"{live_url}/research/deep-dives/{deep_dive_id}/code")
    # DOM offsets are UTF-16 units: "chips" starts at 12 there (the fish is two units), at 11 in Python.
    page.evaluate(SELECT, [_line(0), 12, _line(0), 22])
    start, end = transcript.index("chips"), transcript.index(" by")
    expect(page.locator("#start")).to_have_value(str(start))
    expect(page.locator("#end")).to_have_value(str(end))
    expect(page.locator("[data-selection-preview]")).to_contain_text("“chips 🍟🍟”")
    second = transcript.index("The")
    page.evaluate(SELECT, [_line(second), 4, _line(second), 13])
    expect(page.locator("#start")).to_have_value(str(transcript.index("𝒮")))
    expect(page.locator("#end")).to_have_value(str(transcript.index(" walks")))
    page.check("#sixways-0")
    _press(page, "button:has-text('Code the excerpt')")
    with app.app_context():
        assert db.session.scalars(select(Excerpt.text)).one() == "𝒮eafront"


def test_excerpt_filters_fit_a_phone_with_long_code_names(app, browser, live_url, make_campaign, make_user):
    # A select in the filter row grew to its longest option, so a long theme name made the whole
    # page scroll sideways at 390 px (the demo's themes did).
    make_campaign("dover-town")
    make_user(RESEARCHER, "researcher")
    with app.app_context():
        campaign = db.session.scalars(select(Campaign)).one()
        add_theme(campaign, "travel", "Getting there: buses, lifts, walking routes and the cost of each way in")
        db.session.commit()
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_url, RESEARCHER, STAFF_PASSWORD)
    page.goto(f"{live_url}/research/excerpts?community=dover-town")
    assert page.locator("#theme option", has_text="Getting there").count() == 1
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0

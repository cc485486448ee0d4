"""Coding a deep dive (issue 15, Must show 2): excerpts by paragraph and by character range, offsets exact
against the transcript, the messages for bad input, merging the same span, changing and deleting codes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select
from werkzeug.datastructures import MultiDict

from survey.deepdives.coding import CODING_LOCK_BASE, paragraphs
from survey.extensions import db
from survey.models import Asset, Campaign, DataAccess, DeepDive, Excerpt, ExcerptCode
from tests.coding_support import TRANSCRIPT, add_deep_dive, add_excerpt, add_theme, community
from tests.helpers import csrf_token
from tests.test_research_support import save_while_another_writes, wait_while_it_may_be_waiting

RESEARCHER = "coder@example.org"


@pytest.fixture
def coder(app, client, make_campaign, make_user, login):
    """A researcher signed in; Dover Town with two assets, a campaign with a theme, one deep dive."""
    make_campaign("dover-town")
    make_user(RESEARCHER, "researcher")
    assert login(RESEARCHER).status_code == 303
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
        add_theme(campaign, "isolation", "Loneliness and isolation")
        add_deep_dive(community(), campaign=campaign)
        db.session.commit()
    return client


def _deep_dive_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(DeepDive.id)).one()


def _code(client, deep_dive_id: int, data: list[tuple[str, str]]):
    url = f"/research/deep-dives/{deep_dive_id}/code"
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data=MultiDict([("csrf_token", token), *data]))


def _spans(app) -> list[tuple[int, int, str, set[str]]]:
    with app.app_context():
        rows = db.session.scalars(select(Excerpt).order_by(Excerpt.start)).all()
        return [
            (
                e.start,
                e.end,
                e.text,
                {c.sixways or (c.asset.slug if c.asset else None) or c.theme.key for c in e.codes},  # type: ignore[union-attr]
            )
            for e in rows
        ]


def test_paragraphs_split_at_blank_lines_with_offsets_into_the_transcript():
    found = paragraphs(TRANSCRIPT)
    assert [p.text for p in found] == [
        "Interviewer asked about the library.",
        "The library is where I see people.\r\nI go every Tuesday.",
        "=SUM(1+1) is what my grandson typed. The seafront walks keep me going.",
    ]
    for paragraph in found:
        assert TRANSCRIPT[paragraph.start : paragraph.end] == paragraph.text
        assert [TRANSCRIPT[line.start : line.end] for line in paragraph.lines()] == paragraph.text.split("\r\n")
    assert paragraphs("") == [] and paragraphs(" \n\n \r\n") == []


def test_the_page_shows_each_paragraph_line_with_its_offsets(app, coder):
    page = coder.get(f"/research/deep-dives/{_deep_dive_id(app)}/code").get_data(as_text=True)
    lines = re.findall(r'<span data-start="(\d+)" data-end="(\d+)">([^<]*)</span>', page)
    assert [(int(a), int(b)) for a, b, _text in lines] == [(0, 36), (42, 76), (78, 97), (104, 174)]
    assert all(TRANSCRIPT[int(a) : int(b)].replace("&", "&amp;") == text for a, b, text in lines)
    assert 'value="42-97"' in page and "Loneliness and isolation" in page and "Dover Library" in page
    assert 'src="/static/coding.js"' in page


def test_coding_ticked_paragraphs_makes_an_excerpt_of_each(app, coder):
    deep_dive_id = _deep_dive_id(app)
    answer = _code(
        coder,
        deep_dive_id,
        [("paragraphs", "0-36"), ("paragraphs", "104-174"), ("sixways", "connect"), ("assets", "dover_library")],
    )
    assert answer.status_code == 303
    assert _spans(app) == [
        (0, 36, TRANSCRIPT[0:36], {"connect", "dover_library"}),
        (104, 174, TRANSCRIPT[104:174], {"connect", "dover_library"}),
    ]
    page = coder.get(answer.headers["Location"]).get_data(as_text=True)
    assert "2 excerpts coded." in page and "Excerpts coded (2)" in page


def test_combined_paragraphs_make_one_excerpt_from_the_first_to_the_last(app, coder):
    data = [("paragraphs", "104-174"), ("paragraphs", "0-36"), ("combine", "y"), ("themes", "isolation")]
    assert _code(coder, _deep_dive_id(app), data).status_code == 303
    assert _spans(app) == [(0, 174, TRANSCRIPT[0:174], {"isolation"})]


def test_a_typed_range_is_trimmed_of_surrounding_whitespace(app, coder):
    # 36..80 starts on the line breaks after paragraph 1 and ends on the space after "I".
    answer = _code(coder, _deep_dive_id(app), [("start", "36"), ("end", "80"), ("sixways", "take_notice")])
    assert answer.status_code == 303
    assert _spans(app) == [(42, 79, "The library is where I see people.\r\nI", {"take_notice"})]


def test_the_same_span_coded_again_gains_codes_without_duplicates(app, coder):
    deep_dive_id = _deep_dive_id(app)
    first = [("start", "42"), ("end", "76"), ("sixways", "connect"), ("assets", "dover_library")]
    assert _code(coder, deep_dive_id, first).status_code == 303
    assert _code(coder, deep_dive_id, first).status_code == 303  # a double submit
    again = [("paragraphs", "42-97"), ("sixways", "connect")]
    assert _code(coder, deep_dive_id, again).status_code == 303
    same_span_as_range = [("start", "40"), ("end", "76"), ("themes", "isolation")]  # trims to 42..76
    assert _code(coder, deep_dive_id, same_span_as_range).status_code == 303
    assert _spans(app) == [
        (42, 76, TRANSCRIPT[42:76], {"connect", "dover_library", "isolation"}),
        (42, 97, TRANSCRIPT[42:97], {"connect"}),
    ]
    with app.app_context():
        assert db.session.scalar(select(func.count(ExcerptCode.id))) == 4


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ([("sixways", "connect")], ["Tick at least one paragraph, or type a character range."]),
        ([("paragraphs", "0-36")], ["Choose at least one code: a six ways dimension, an asset or a theme."]),
        (
            [("paragraphs", "0-36"), ("start", "1"), ("end", "5"), ("sixways", "give")],
            ["Tick paragraphs or type a character range, not both."],
        ),
        ([("start", "10"), ("sixways", "give")], ["Enter the end of the range as well, or leave both empty."]),
        ([("start", "50"), ("end", "40"), ("sixways", "give")], ["The end must be after the start."]),
        ([("start", "-1"), ("end", "40"), ("sixways", "give")], ["The start must be from 0 to 173"]),
        ([("start", "0"), ("end", "175"), ("sixways", "give")], ["The end must be from 1 to 174"]),
        ([("start", "36"), ("end", "42"), ("sixways", "give")], ["only spaces or line breaks"]),
        ([("start", "ten"), ("end", "12"), ("sixways", "give")], ["Enter the start as a whole number"]),
        ([("paragraphs", "1-36"), ("sixways", "give")], ["The transcript has changed since this page was opened"]),
        (
            [("paragraphs", "0-36"), ("sixways", "smile"), ("assets", "sheppey_pier"), ("themes", "nope")],
            [
                "Choose six ways dimensions from the list.",
                "Choose assets of Dover Town",
                "Choose themes from the list.",
            ],
        ),
    ],
)
def test_bad_requests_are_refused_with_a_message_keeping_what_was_chosen(app, coder, data, messages):
    answer = _code(coder, _deep_dive_id(app), data)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "There is a problem" in page
    for message in messages:
        assert message in page
    for name, value in data:
        if name in ("start", "end"):
            assert f'value="{value}"' in page  # what was typed is kept
        elif name in ("paragraphs", "sixways") and value in ("0-36", "give", "connect"):
            assert re.search(rf'<input[^>]* checked[^>]*value="{value}"', page), value
    assert _spans(app) == []


def test_changing_an_excerpts_codes_and_deleting_it(app, coder):
    with app.app_context():
        deep_dive = db.session.scalars(select(DeepDive)).one()
        library = db.session.scalars(select(Asset).filter_by(slug="dover_library")).one()
        excerpt = add_excerpt(deep_dive, "I go every Tuesday.", sixways=("connect",), assets=(library,))
        deep_dive_id, excerpt_id = deep_dive.id, excerpt.id
        db.session.commit()
    url = f"/research/deep-dives/{deep_dive_id}/excerpts/{excerpt_id}/codes"
    page = coder.get(url).get_data(as_text=True)
    assert re.search(r'<input[^>]* checked[^>]*value="connect"', page) and "I go every Tuesday." in page
    token = csrf_token(page)
    refused = coder.post(url, data={"csrf_token": token})
    assert refused.status_code == 422 and "Choose at least one code, or delete the excerpt instead." in refused.text
    saved = coder.post(url, data=MultiDict([("csrf_token", token), ("sixways", "be_active"), ("themes", "isolation")]))
    assert saved.status_code == 303
    assert _spans(app) == [(78, 97, "I go every Tuesday.", {"be_active", "isolation"})]
    delete_url = f"/research/deep-dives/{deep_dive_id}/excerpts/{excerpt_id}/delete"
    # The Delete button asks first (it deleted at once), showing the excerpt and its codes.
    asked = coder.post(delete_url, data={"csrf_token": token})
    assert asked.status_code == 200 and len(_spans(app)) == 1
    assert "Delete the excerpt at characters 78–97?" in asked.text and "I go every Tuesday." in asked.text
    assert "Be active" in asked.text and 'name="confirm" value="yes"' in asked.text
    deleted = coder.post(delete_url, data={"csrf_token": token, "confirm": "yes"})
    assert deleted.status_code == 303 and _spans(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(ExcerptCode.id))) == 0
        assert db.session.get(DeepDive, deep_dive_id).transcript == TRANSCRIPT  # type: ignore[union-attr]
    assert coder.get(url).status_code == 404


def _one_excerpt(app) -> tuple[int, int]:
    """The deep dive's id and that of one excerpt coded "connect"."""
    with app.app_context():
        deep_dive = db.session.scalars(select(DeepDive)).one()
        excerpt = add_excerpt(deep_dive, "I go every Tuesday.", sixways=("connect",))
        ids = deep_dive.id, excerpt.id
        db.session.commit()
        return ids


def test_a_double_clicked_save_of_an_excerpts_codes_adds_each_once(app, coder):
    # The other click's request adds "give" first: this one waits for the deep dive's turn, then
    # finds it there (it added it again, and the unique constraint made that a 500 on PostgreSQL).
    deep_dive_id, excerpt_id = _one_excerpt(app)

    def first_click(other) -> None:
        other.add(ExcerptCode(excerpt_id=excerpt_id, sixways="give"))

    url = f"/research/deep-dives/{deep_dive_id}/excerpts/{excerpt_id}/codes"
    data = {"sixways": ["connect", "give"]}
    answers = save_while_another_writes(app, coder, url, data, CODING_LOCK_BASE + deep_dive_id, first_click)
    assert answers == [303]
    assert _spans(app) == [(78, 97, "I go every Tuesday.", {"connect", "give"})]
    with app.app_context():
        assert db.session.scalar(select(func.count(ExcerptCode.id))) == 2


def test_a_retired_asset_on_an_excerpt_stays_when_its_other_codes_change(app, coder):
    with app.app_context():
        deep_dive = db.session.scalars(select(DeepDive)).one()
        seafront = db.session.scalars(select(Asset).filter_by(slug="dover_seafront")).one()
        excerpt = add_excerpt(deep_dive, "The seafront walks", assets=(seafront,))
        seafront.retired = True
        ids = (deep_dive.id, excerpt.id)
        db.session.commit()
    coding_page = coder.get(f"/research/deep-dives/{ids[0]}/code").get_data(as_text=True)
    assert 'value="dover_seafront"' not in coding_page.split('id="excerpts"')[0]  # not offered for new codes
    url = f"/research/deep-dives/{ids[0]}/excerpts/{ids[1]}/codes"
    token = csrf_token(coder.get(url).get_data(as_text=True))
    saved = coder.post(
        url, data=MultiDict([("csrf_token", token), ("assets", "dover_seafront"), ("sixways", "be_active")])
    )
    assert saved.status_code == 303
    assert _spans(app)[0][3] == {"dover_seafront", "be_active"}


def test_a_deep_dive_without_a_campaign_takes_the_latest_campaigns_themes(app, coder, make_campaign):
    with app.app_context():
        dover = community()
        older = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
        from survey.campaigns.operations import create_campaign, open_campaign

        newer = create_campaign(dover, "dover-town-2", "Dover Town wave 2", ("sixways",))
        open_campaign(newer)
        practice = create_campaign(dover, "dover-practice", "Practice", ("sixways",), practice=True)
        open_campaign(practice)
        add_theme(newer, "transport", "Getting there")
        add_theme(practice, "practice_theme", "Practice theme")
        loose = add_deep_dive(dover, "DOV-09", "Words to code.", campaign=None)
        kept = add_deep_dive(dover, "DOV-10", "Other words.", campaign=older)
        db.session.commit()
        loose_id, kept_id = loose.id, kept.id
    loose_page = coder.get(f"/research/deep-dives/{loose_id}/code").get_data(as_text=True)
    assert "Getting there" in loose_page and "Loneliness and isolation" not in loose_page
    assert "Practice theme" not in loose_page
    kept_page = coder.get(f"/research/deep-dives/{kept_id}/code").get_data(as_text=True)
    assert "Loneliness and isolation" in kept_page and "Getting there" not in kept_page


def test_a_deep_dive_with_no_transcript_says_so(app, coder):
    with app.app_context():
        empty = add_deep_dive(community(), "DOV-11", "")
        db.session.commit()
        empty_id = empty.id
    page = coder.get(f"/research/deep-dives/{empty_id}/code").get_data(as_text=True)
    assert "no transcript to code yet" in page and 'name="sixways"' not in page
    token = csrf_token(page)
    answer = coder.post(f"/research/deep-dives/{empty_id}/code", data={"csrf_token": token, "start": "0", "end": "1"})
    assert answer.status_code == 422 and _spans(app) == []


def test_an_excerpt_the_transcript_no_longer_holds_is_flagged(app, coder):
    with app.app_context():
        deep_dive = db.session.scalars(select(DeepDive)).one()
        add_excerpt(deep_dive, "I go every Tuesday.", sixways=("connect",))
        add_excerpt(deep_dive, "Interviewer asked", sixways=("give",))
        deep_dive.transcript = deep_dive.transcript.replace("every Tuesday", "on Tuesdays")
        deep_dive_id = deep_dive.id
        db.session.commit()
    page = coder.get(f"/research/deep-dives/{deep_dive_id}/code").get_data(as_text=True)
    assert page.count("The transcript has changed here since it was coded") == 1


def test_coding_waits_for_another_writer_of_the_deep_dive_and_then_merges(app, coder):
    """While another transaction holds the deep dive's writing turn (as a second tab coding it would), a
    post waits; then it finds the excerpt the other wrote and adds its codes to it, never a second copy."""
    import threading

    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from survey.config import normalise_database_url
    from survey.database import configure_engine, take_turns

    deep_dive_id = _deep_dive_id(app)
    url = f"/research/deep-dives/{deep_dive_id}/code"
    token = csrf_token(coder.get(url).get_data(as_text=True))
    data = MultiDict([("csrf_token", token), ("paragraphs", "42-97"), ("sixways", "connect"), ("themes", "isolation")])
    answers: list[int] = []
    engine = create_engine(normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"]))
    configure_engine(engine, 15_000)
    try:
        with Session(engine) as other:
            other.execute(text("SELECT 1"))  # SQLite: BEGIN IMMEDIATE, the database's one writing turn
            take_turns(other, CODING_LOCK_BASE + deep_dive_id)  # PostgreSQL: this deep dive's turn
            poster = threading.Thread(target=lambda: answers.append(coder.post(url, data=data).status_code))
            poster.start()
            wait_while_it_may_be_waiting(other, poster)
            assert poster.is_alive()  # waiting for its turn
            excerpt = Excerpt(deep_dive_id=deep_dive_id, start=42, end=97, text=TRANSCRIPT[42:97])
            excerpt.codes = [ExcerptCode(sixways="give"), ExcerptCode(sixways="connect")]
            other.add(excerpt)
            other.commit()
        poster.join(timeout=30)
    finally:
        engine.dispose()
    assert answers == [303]
    assert _spans(app) == [(42, 97, TRANSCRIPT[42:97], {"give", "connect", "isolation"})]
    with app.app_context():
        assert db.session.scalar(select(func.count(ExcerptCode.id))) == 3


def test_a_double_clicked_delete_of_an_excerpt_finds_it_gone(app, coder):
    # The other click's request deletes the excerpt first: this one waits for the deep dive's turn,
    # then says so (on PostgreSQL it read the row first and its own DELETE matched nothing).
    deep_dive_id, excerpt_id = _one_excerpt(app)

    def first_click(other) -> None:
        other.execute(delete(ExcerptCode))
        other.execute(delete(Excerpt))

    url = f"/research/deep-dives/{deep_dive_id}/excerpts/{excerpt_id}/delete"
    code_page = f"/research/deep-dives/{deep_dive_id}/code"
    answers = save_while_another_writes(
        app, coder, url, {"confirm": "yes"}, CODING_LOCK_BASE + deep_dive_id, first_click, token_url=code_page
    )
    assert answers == [303] and _spans(app) == []
    assert "That excerpt was already deleted." in coder.get(code_page).get_data(as_text=True)


def test_every_coding_page_that_shows_the_words_is_logged(app, coder):
    # The coding page shows the whole transcript, the excerpt pages its words: none was logged, while
    # the deep dive's own page and edit form were.
    deep_dive_id, excerpt_id = _one_excerpt(app)
    base = f"/research/deep-dives/{deep_dive_id}"
    page = coder.get(f"{base}/code")
    assert page.status_code == 200 and "The library is where I see people." in page.text
    assert _code(coder, deep_dive_id, [("paragraphs", "nonsense")]).status_code == 422  # shown again
    codes = coder.get(f"{base}/excerpts/{excerpt_id}/codes")
    assert codes.status_code == 200 and "I go every Tuesday." in codes.text
    asked = coder.post(f"{base}/excerpts/{excerpt_id}/delete", data={"csrf_token": csrf_token(codes.text)})
    assert asked.status_code == 200 and "I go every Tuesday." in asked.text
    with app.app_context():
        entries = db.session.scalars(select(DataAccess).order_by(DataAccess.id)).all()
        logged = [(e.user_label, e.resource, e.filters["deep_dive"], e.filters["page"]) for e in entries]
    pages = ["code", "code", "code", "excerpt codes", "excerpt delete"]  # _code's GET, then its 422
    assert logged == [(RESEARCHER, "deep-dive", deep_dive_id, page) for page in pages]

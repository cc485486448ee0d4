"""Deep-dive interviews (issue 15): recording, the list and its scope, consents stored and shown, the
participant code rule, editing with excerpts re-anchored, the audit trail and the data access log."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey.deepdives.anchoring import Span, occurrences, reanchor
from survey.extensions import db
from survey.localtime import local_today
from survey.models import AuditEvent, DataAccess, DeepDive, Excerpt, ExcerptCode
from tests.deepdive_support import fields, post, record, stored
from tests.test_research_support import sign_in


@pytest.fixture
def researcher(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    sign_in(make_user, login)
    return client


def _code(app, deep_dive_id: int, phrase: str, sixways: str = "connect") -> int:
    """Code `phrase` of the deep dive's transcript (as the coding screens will), returning the excerpt id."""
    with app.app_context():
        deep_dive = db.session.get(DeepDive, deep_dive_id)
        assert deep_dive is not None
        start = deep_dive.transcript.index(phrase)
        excerpt = Excerpt(start=start, end=start + len(phrase), text=phrase, codes=[ExcerptCode(sixways=sixways)])
        deep_dive.excerpts.append(excerpt)
        db.session.commit()
        return excerpt.id


def test_a_recorded_deep_dive_keeps_its_consents_and_shows_them(app, researcher):
    deep_dive_id = record(researcher, code="dov-07", consent_recording="yes", consent_sharing="no")
    row = stored(app, deep_dive_id)
    assert row is not None and row.participant_code == "DOV-07"  # one participant, whatever the case typed
    assert (row.consent_recording, row.consent_quotation, row.consent_sharing) == (True, True, False)
    assert row.transcript == "First paragraph.\n\nSecond paragraph." and row.held_on == date(2026, 3, 27)
    page = researcher.get(f"/research/deep-dives/{deep_dive_id}").get_data(as_text=True)
    shown = dict(re.findall(r"Consent to (\w+)</dt><dd[^>]*><strong[^>]*>(Yes|No)<", page))
    assert shown == {"recording": "Yes", "quotation": "Yes", "sharing": "No"}
    assert page.count('<p class="govuk-body app-pre-line">') == 2  # a paragraph each
    assert "researcher@example.org" in page  # researchers see the interviewer's e-mail


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(app, researcher):
    with app.app_context():
        future = local_today() + timedelta(days=1)
    answer = post(
        researcher,
        fields(code="Jane Smith", held_on=future, transcript="Kept words", consent_recording="maybe"),
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "a pseudonym such as DOV-07, never a name or email" in page
    assert "must be today or in the past" in page
    assert "Choose whether the participant agreed to the interview being recorded" in page
    assert 'value="Jane Smith"' in page and "Kept words</textarea>" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(DeepDive.id))) == 0


def test_a_double_clicked_record_keeps_one_deep_dive(app, researcher):
    first, again = post(researcher, fields()), post(researcher, fields())
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]  # both show the one recorded
    other_words = post(researcher, fields(transcript="Another interview with the same participant."))
    assert other_words.status_code == 303 and other_words.headers["Location"] != first.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count(DeepDive.id))) == 2


@pytest.mark.parametrize(
    "part",
    [
        {"held_on-day": "9" * 30},  # date() raised OverflowError: a 500
        {"held_on-month": "2147483648"},
        {"held_on-day": "\u00b2"},  # isdigit(), yet int() refuses it: a 500
        {"held_on-year": "9" * 5000},  # more digits than int() reads: a 500
    ],
)
def test_a_date_part_no_date_can_hold_is_named_and_kept(app, researcher, part):
    answer = post(researcher, {**fields(transcript="Kept words"), **part})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "must be a real date" in page and "Kept words</textarea>" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(DeepDive.id))) == 0


@pytest.mark.parametrize("code", ["jane@example.org", "-07", "a" * 41, "DOV 07"])
def test_a_participant_code_must_be_a_pseudonym(app, researcher, code):
    answer = post(researcher, fields(code=code))
    assert answer.status_code == 422 and "never a name or email" in answer.get_data(as_text=True)


def test_a_campaign_must_be_the_communitys(app, researcher):
    answer = post(researcher, fields(campaign="sheppey"))
    assert answer.status_code == 422 and "is not a campaign of that community" in answer.get_data(as_text=True)
    deep_dive_id = record(researcher, campaign="dover-town")
    row = stored(app, deep_dive_id)
    assert row is not None and row.campaign_id is not None


def test_peers_see_and_record_only_their_own_communities(app, client, researcher, make_user, login):
    own = record(researcher, code="DOV-01")
    other = record(researcher, code="SHE-01", community="sheppey")
    peer = app.test_client()
    make_user("peer@example.org", "peer", ("dover-town",))
    assert login("peer@example.org", target=peer).status_code == 303
    listing = peer.get("/research/deep-dives").get_data(as_text=True)
    assert "DOV-01" in listing and "SHE-01" not in listing
    assert peer.get(f"/research/deep-dives/{other}").status_code == 404
    assert peer.get(f"/research/deep-dives/{other}/edit").status_code == 404
    page = peer.get(f"/research/deep-dives/{own}").get_data(as_text=True)
    assert "researcher@example.org" not in page and "Staff member " in page  # a colleague by staff code
    refused = post(peer, fields(code="SHE-02", community="sheppey"))
    assert refused.status_code == 422 and "Choose a community from the list" in refused.get_data(as_text=True)
    mine = record(peer, code="DOV-02")
    row = stored(app, mine)
    with app.app_context():
        assert row is not None and row.interviewer_id == db.session.scalar(
            select(func.min(DeepDive.interviewer_id)).where(DeepDive.id == mine)
        )
    assert "You" in peer.get(f"/research/deep-dives/{mine}").get_data(as_text=True)
    assert peer.get("/research/deep-dives/erase").status_code == 403


def test_the_list_filters_by_community_and_tags_synthetic_data(app, researcher):
    record(researcher, code="DOV-01")
    sheppey = record(researcher, code="SHE-01", community="sheppey")
    with app.app_context():
        row = db.session.get(DeepDive, sheppey)
        assert row is not None
        row.synthetic = True
        db.session.commit()
    everything = researcher.get("/research/deep-dives").get_data(as_text=True)
    assert "DOV-01" in everything and "SHE-01" in everything and everything.count("Synthetic data") == 1
    dover = researcher.get("/research/deep-dives?community=dover-town").get_data(as_text=True)
    assert "DOV-01" in dover and "SHE-01" not in dover
    for url in (f"/research/deep-dives/{sheppey}", f"/research/deep-dives/{sheppey}/edit"):
        assert "Synthetic data" in researcher.get(url).get_data(as_text=True)


def test_every_view_of_the_words_is_logged(app, researcher):
    deep_dive_id = record(researcher)
    researcher.get(f"/research/deep-dives/{deep_dive_id}")
    researcher.get(f"/research/deep-dives/{deep_dive_id}/edit")
    researcher.get("/research/deep-dives")  # the list shows no words: not logged
    with app.app_context():
        entries = list(db.session.scalars(select(DataAccess).order_by(DataAccess.id)))
    assert [(e.resource, e.channel, e.filters["deep_dive"], e.filters["page"]) for e in entries] == [
        ("deep-dive", "web", deep_dive_id, "detail"),
        ("deep-dive", "web", deep_dive_id, "edit"),
    ]
    assert all(entry.user_label == "researcher@example.org" for entry in entries)


def test_the_audit_trail_records_changes_without_the_code_or_the_words(app, researcher):
    deep_dive_id = record(researcher, code="DOV-99", transcript="Secretword lives here.")
    edit = f"/research/deep-dives/{deep_dive_id}/edit"
    assert post(researcher, fields(code="DOV-98", transcript="Otherword now."), url=edit).status_code == 303
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).filter_by(entity_type="deep_dive")))
    assert [event.action for event in events] == ["create", "update"]
    dumped = repr([event.changes for event in events])
    assert "Secretword" not in dumped and "Otherword" not in dumped and "DOV-9" not in dumped
    assert events[0].changes["transcript"] == "changed" and events[1].changes["participant_code"] == "changed"
    assert events[0].changes["consent_quotation"] == [None, True]  # consents stay readable


TRANSCRIPT = "Intro words.\n\nThe library is where I meet people.\n\nThe seafront walk keeps me going."


def test_editing_keeps_moves_or_removes_excerpts_and_says_how_many_codes_went(app, researcher):
    deep_dive_id = record(researcher, transcript=TRANSCRIPT)
    kept = _code(app, deep_dive_id, "Intro words.")
    moved = _code(app, deep_dive_id, "The library is where I meet people.")
    gone = _code(app, deep_dive_id, "The seafront walk keeps me going.", sixways="be_active")
    edited = "Intro words.\n\nA new paragraph.\n\nThe library is where I meet people."
    edit = f"/research/deep-dives/{deep_dive_id}/edit"
    form = researcher.get(edit).get_data(as_text=True)
    assert "carry 3 codes" in form  # warned beforehand
    answer = post(researcher, fields(transcript=edited), url=edit)
    assert answer.status_code == 303
    flashed = researcher.get(answer.headers["Location"]).get_data(as_text=True)
    assert "1 coded excerpt moved" in flashed and "1 code removed" in flashed
    with app.app_context():
        excerpts = {e.id: e for e in db.session.scalars(select(Excerpt).filter_by(deep_dive_id=deep_dive_id))}
        assert set(excerpts) == {kept, moved}
        assert (excerpts[kept].start, excerpts[kept].end) == (0, 12)
        assert edited[excerpts[moved].start : excerpts[moved].end] == excerpts[moved].text
        assert db.session.scalar(select(func.count(ExcerptCode.id)).where(ExcerptCode.excerpt_id == gone)) == 0


def test_reanchoring_takes_the_occurrence_nearest_the_old_start():
    text = "echo one. echo two. echo three."
    assert occurrences(text, "echo") == [0, 10, 20]
    assert reanchor(text, Span(10, 14, "echo")) == (10, 14)  # unchanged: stays
    assert reanchor(text, Span(12, 16, "echo")) == (10, 14)  # shifted by 2: the nearest
    assert reanchor(text, Span(15, 19, "echo")) == (10, 14)  # a tie (5 either way): the earlier one
    assert reanchor(text, Span(3, 8, "missing")) is None
    assert reanchor("aaa", Span(5, 7, "aa")) == (1, 3)  # overlapping occurrences count


def test_an_unchanged_transcript_through_the_form_leaves_excerpts_alone(app, researcher):
    deep_dive_id = record(researcher, transcript=TRANSCRIPT)
    excerpt_id = _code(app, deep_dive_id, "The seafront walk keeps me going.")
    edit = f"/research/deep-dives/{deep_dive_id}/edit"
    html = researcher.get(edit).get_data(as_text=True)
    typed = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    assert typed is not None
    browser_text = typed.group(1).lstrip("\r\n").replace("\n", "\r\n")  # as a browser sends a textarea
    answer = post(researcher, fields(transcript=browser_text, consent_sharing="yes"), url=edit)
    assert answer.status_code == 303
    with app.app_context():
        excerpt = db.session.get(Excerpt, excerpt_id)
        assert excerpt is not None and TRANSCRIPT[excerpt.start : excerpt.end] == excerpt.text
        row = db.session.get(DeepDive, deep_dive_id)
        assert row is not None and row.transcript == TRANSCRIPT and row.consent_sharing is True

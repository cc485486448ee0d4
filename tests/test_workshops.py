"""Impact workshop participants: codes, joining, rating, resubmitting, closing, privacy, rate limits."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from survey.extensions import db
from survey.models import Asset, AuditEvent, Community, WorkshopParticipant, WorkshopRating
from survey.workshops.codes import ALPHABET, LENGTH, display_code, new_code, normalise_code
from survey.workshops.operations import open_workshop
from tests.conftest import _app_for
from tests.helpers import csrf_token
from tests.test_research_support import save_while_another_writes, sign_in, submit
from tests.workshop_support import JOIN_TOKEN, join, open_via_web, rate, ratings, workshop_id


@pytest.fixture
def code(app, client, make_campaign, make_user, login) -> str:
    make_campaign("dover-town")
    sign_in(make_user, login)
    return open_via_web(client)


def test_codes_are_long_reading_safe_and_normalised_everywhere():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == LENGTH >= 8 and set(c) <= set(ALPHABET) for c in codes)
    assert not set("0O1IL") & set(ALPHABET)
    code = "ACEFHJ34"
    assert display_code(code) == "ACEF-HJ34"
    # The last: fullwidth, as some phone keyboards type it (red team 7: it was a 404).
    for typed in ("acef-hj34", " ACEF HJ34 ", "acefhj34", "AcEf\u2013Hj34", "ACEF - HJ34", "ＡＣＥＦ－ＨＪ３４"):
        assert normalise_code(typed) == code, typed
    for typed in ("", "ACEF-HJ3", "ACEF-HJ345", "ACEF-HJ30", "ACEF-HJ3I"):
        assert normalise_code(typed) is None, typed


def test_join_rate_resubmit_and_double_submit_store_one_rating(app, code):
    participant = app.test_client()
    assert "Which group are you speaking for?" in participant.get(f"/w/{code}").get_data(as_text=True)
    join(participant, code, group="council")
    page = participant.get(f"/w/{code}").get_data(as_text=True)
    assert "You are participant 1" in page and "Rate Dover Library" in page and "Rate Dover Seafront" in page

    refused = rate(participant, code, "dover_library", None, "9", "x" * 1001)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Choose how high its social impact is" in html
    assert "Choose how high its economic impact is" in html and "Use at most 1000 characters" in html
    assert ratings(app) == []

    assert rate(participant, code, "dover_library", 4, 2, "Busy on Saturdays").status_code == 303
    assert ratings(app) == [(1, "dover_library", 4, 2, "Busy on Saturdays")]
    page = participant.get(f"/w/{code}").get_data(as_text=True)
    assert "Your rating: social impact 4 (high), economic impact 2 (low)" in page
    form = participant.get(f"/w/{code}/assets/dover_library").get_data(as_text=True)
    assert 'value="4" checked' in form and "Busy on Saturdays</textarea>" in form

    # A resubmit updates the one row; the same POST sent twice (a double click) stores one row.
    url = f"/w/{code}/assets/dover_library"
    data = {"csrf_token": csrf_token(form), "social_impact": "5", "economic_impact": "3", "comment": "Changed"}
    assert [participant.post(url, data=data).status_code for _ in range(2)] == [303, 303]
    assert ratings(app) == [(1, "dover_library", 5, 3, "Changed")]
    with app.app_context():
        assert db.session.scalar(select(WorkshopParticipant.participant_group)) == "council"


def test_a_double_clicked_join_makes_one_participant_and_the_group_is_optional(app, code):
    participant = app.test_client()
    html = participant.get(f"/w/{code}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "join_token": JOIN_TOKEN.search(html).group(1)}  # type: ignore[union-attr]
    assert [participant.post(f"/w/{code}/join", data=data).status_code for _ in range(2)] == [303, 303]
    # The same form sent from a second browser (the session differs, the token is the same) joins once too.
    other = app.test_client()
    other_html = other.get(f"/w/{code}").get_data(as_text=True)
    assert other.post(f"/w/{code}/join", data={**data, "csrf_token": csrf_token(other_html)}).status_code == 303
    with app.app_context():
        rows = db.session.scalars(select(WorkshopParticipant)).all()
        assert [(row.number, row.participant_group) for row in rows] == [(1, None)]
    refused = participant.application.test_client()
    page = refused.get(f"/w/{code}").get_data(as_text=True)
    bad = {"csrf_token": csrf_token(page), "join_token": "short", "participant_group": "mayor"}
    answer = refused.post(f"/w/{code}/join", data=bad)
    assert answer.status_code == 422 and "Something went wrong joining" in answer.get_data(as_text=True)
    assert "Choose one of the groups, or none." in answer.get_data(as_text=True)


def test_participants_see_only_their_own_ratings(app, code):
    first, second = app.test_client(), app.test_client()
    join(first, code, "resident")
    join(second, code, "business")
    assert rate(first, code, "dover_library", 5, 1, "First person's private view").status_code == 303
    own = second.get(f"/w/{code}").get_data(as_text=True)
    assert "You are participant 2" in own and "Your rating" not in own and "private view" not in own
    form = second.get(f"/w/{code}/assets/dover_library").get_data(as_text=True)
    assert "checked" not in form and "private view" not in form
    assert rate(second, code, "dover_library", 2, 2).status_code == 303
    assert sorted(ratings(app)) == [
        (1, "dover_library", 5, 1, "First person's private view"),
        (2, "dover_library", 2, 2, ""),
    ]
    # Without joining, there is nothing to rate as.
    stranger = app.test_client()
    assert stranger.get(f"/w/{code}/assets/dover_library").status_code == 303
    assert stranger.get(f"/w/{code}/assets/not_in_workshop").status_code == 404


def test_codes_work_in_any_case_with_or_without_separators(app, code):
    visitor = app.test_client()
    for typed in (code.lower(), code.replace("-", ""), code.replace("-", " ").lower()):
        answer = visitor.get(f"/w/{typed}")
        assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/w/{code}"), typed
    page = visitor.get("/w").get_data(as_text=True)
    typed = f"  {code.replace('-', ' ').lower()} "
    answer = visitor.post("/w", data={"csrf_token": csrf_token(page), "code": typed})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/w/{code}")
    wrong = visitor.post("/w", data={"csrf_token": csrf_token(page), "code": "AAAA-AAAA"})
    assert wrong.status_code == 422 and "No workshop has that code" in wrong.get_data(as_text=True)
    assert 'value="AAAA-AAAA"' in wrong.get_data(as_text=True)


def test_a_closed_workshop_answers_a_friendly_page_and_refuses_ratings(app, client, code):
    participant = app.test_client()
    join(participant, code)
    form = participant.get(f"/w/{code}/assets/dover_library").get_data(as_text=True)
    staff_page = f"/research/workshops/{workshop_id(app, code)}"
    # Closing cannot be undone, so it needs its box ticked (a slip beside Refresh ended the rating).
    unticked = submit(client, f"{staff_page}/close", token_url=staff_page)
    assert unticked.status_code == 422 and participant.get(f"/w/{code}").status_code == 200
    html = unticked.get_data(as_text=True)  # an error summary linking to the box, not a banner
    assert "<title>Error: " in html and 'href="#confirm-close">Tick the box to confirm' in html
    assert 'id="confirm-close-error"' in html
    assert submit(client, f"{staff_page}/close", {"confirm": "y"}, token_url=staff_page).status_code == 303
    closed = participant.get(f"/w/{code}")
    assert closed.status_code == 410 and "This workshop has closed" in closed.get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "social_impact": "3", "economic_impact": "3"}
    refused = participant.post(f"/w/{code}/assets/dover_library", data=data)
    assert refused.status_code == 410 and "This workshop has closed" in refused.get_data(as_text=True)
    assert ratings(app) == []
    # The code still leads there (it is right), to the same friendly page.
    newcomer = app.test_client()
    page = newcomer.get("/w").get_data(as_text=True)
    assert newcomer.post("/w", data={"csrf_token": csrf_token(page), "code": code}).status_code == 303
    assert newcomer.get(f"/w/{code}").status_code == 410
    # Staff still see it; opening and closing are in the audit trail under the researcher's name.
    assert "Closed" in client.get(staff_page).get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).filter_by(entity_type="workshop").order_by(AuditEvent.id)).all()
        researcher = "researcher@example.org"
        assert [(e.action, e.actor_label) for e in events] == [("create", researcher), ("update", researcher)]
        assert events[1].changes["status"] == ["open", "closed"]


def test_wrong_codes_are_rate_limited_and_right_ones_do_not_count(database_url, make_campaign):
    make_campaign("dover-town")
    app = _app_for(database_url, WORKSHOP_CODE_LIMIT="3 per 10 minutes")
    with app.app_context():
        community = db.session.scalars(select(Community)).one()
        code = display_code(open_workshop(community, "Limits", date(2026, 3, 14)).code)
        db.session.commit()
    visitor = app.test_client()
    assert [visitor.get(f"/w/{code}").status_code for _ in range(5)] == [200] * 5
    assert [visitor.get("/w/AAAA-AAAA").status_code for _ in range(3)] == [404] * 3
    assert visitor.get("/w/AAAA-AAAA").status_code == 429
    # Once the misses are used up, the address waits, right code or not.
    assert visitor.get(f"/w/{code}").status_code == 429
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorkshopRating)) == 0
        db.session.remove()
        db.engine.dispose()


def test_the_same_rating_posted_at_once_from_two_tabs_stores_one_row(app, code):
    """Two requests of one participant racing (a double click on a slow network) take turns."""
    first = app.test_client()
    join(first, code)
    second = app.test_client()
    second.set_cookie("session", first.get_cookie("session").value)  # type: ignore[union-attr]
    url = f"/w/{code}/assets/dover_library"
    tokens = [csrf_token(client.get(url).get_data(as_text=True)) for client in (first, second)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(client, token: str, social: str) -> None:
        barrier.wait()
        answer = client.post(url, data={"csrf_token": token, "social_impact": social, "economic_impact": "3"})
        statuses.append(answer.status_code)

    threads = [
        threading.Thread(target=post, args=(client, token, social))
        for client, token, social in zip((first, second), tokens, ("2", "4"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303, 303]
    stored = ratings(app)
    assert len(stored) == 1 and stored[0][2] in (2, 4)


def _closing(workshop: int):
    """`save_while_another_writes`'s lock and write for a close committed while a participant's request runs."""

    def hold(other: Session) -> None:
        if other.get_bind().dialect.name == "postgresql":  # SQLite: the write lock suffices
            other.execute(text("SELECT id FROM workshop WHERE id = :id FOR UPDATE"), {"id": workshop})

    def close(other: Session) -> None:
        other.execute(text("UPDATE workshop SET status = 'closed' WHERE id = :id"), {"id": workshop})

    return hold, close


def test_a_rating_sent_as_the_workshop_closes_waits_and_is_refused(app, code):
    # On PostgreSQL the rating read "open" at its start and was stored after the close committed:
    # the participant was told "Saved", and a rating arrived in a closed workshop.
    participant = app.test_client()
    join(participant, code)
    url = f"/w/{code}/assets/dover_library"
    hold, close = _closing(workshop_id(app, code))
    pages: list[str] = []
    data = {"social_impact": "4", "economic_impact": "2"}
    answers = save_while_another_writes(app, participant, url, data, hold, close, pages)
    assert answers == [410] and "This workshop has closed" in pages[0]
    assert ratings(app) == []


def test_a_join_sent_as_the_workshop_closes_waits_and_is_refused(app, code):
    newcomer = app.test_client()
    page = newcomer.get(f"/w/{code}").get_data(as_text=True)
    data = {"join_token": JOIN_TOKEN.search(page).group(1)}  # type: ignore[union-attr]
    hold, close = _closing(workshop_id(app, code))
    pages: list[str] = []
    answers = save_while_another_writes(app, newcomer, f"/w/{code}/join", data, hold, close, pages, f"/w/{code}")
    assert answers == [410] and "This workshop has closed" in pages[0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorkshopParticipant)) == 0


def test_an_empty_code_is_asked_for_and_not_counted_as_a_wrong_one(database_url, make_campaign):
    # Continue with an empty box said "No workshop has that code" and used up a wrong-code attempt.
    make_campaign("dover-town")
    app = _app_for(database_url, WORKSHOP_CODE_LIMIT="2 per 10 minutes")
    visitor = app.test_client()
    page = visitor.get("/w").get_data(as_text=True)
    for typed in ("", "   "):
        answer = visitor.post("/w", data={"csrf_token": csrf_token(page), "code": typed})
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422 and "Enter the workshop code the facilitator shows." in html
        assert "No workshop has that code" not in html
    # Both wrong codes of the budget are still there.
    assert [visitor.get("/w/AAAA-AAAA").status_code for _ in range(3)] == [404, 404, 429]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_cards_say_where_an_asset_is_by_its_postcode_too(app, code):
    # A card showed only the free-text location, so assets placed by postcode (all the demo's) had no
    # "Where" at all, though the asset log's Location column and the profile give the postcode.
    with app.app_context():
        library = db.session.scalars(select(Asset).filter_by(slug="dover_library")).one()
        library.location, library.postcode = "", "CT16 1PH"
        seafront = db.session.scalars(select(Asset).filter_by(slug="dover_seafront")).one()
        seafront.location, seafront.postcode = "Marine Parade", "CT17 9DQ"
        db.session.commit()
    participant = app.test_client()
    join(participant, code)
    page = " ".join(participant.get(f"/w/{code}").get_data(as_text=True).split())
    where = re.findall(
        r"<dt class=\"govuk-summary-list__key\">Where</dt><dd class=\"govuk-summary-list__value\">(.*?)</dd>", page
    )
    assert where == ["CT16 1PH", "Marine Parade, CT17 9DQ"]

"""Interviews (issue 16 part 6): the privacy notice read aloud before consent, the end page's support
details and "Start the next interview", and each interviewer's unfinished interviews (resume, discard)."""

from __future__ import annotations

from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, AuditEvent, Response
from tests.helpers import csrf_token, valid_answers
from tests.test_interview import _names, _start


def _answer_page(client, page_url: str, number: int) -> None:
    url = page_url.replace("/page/1", f"/page/{number}")
    token = csrf_token(client.get(url).get_data(as_text=True))
    posted = client.post(url, data={"csrf_token": token, "action": "next", **valid_answers(_names(client, url))})
    assert posted.status_code == 303, posted.get_data(as_text=True)[:500]


def test_the_consent_page_has_the_privacy_notice_to_read_aloud(client, make_campaign, make_user, login):
    slug = make_campaign()
    make_user("peer@example.org", "peer", communities=(slug,))
    login("peer@example.org")
    home = client.get("/fieldwork/").get_data(as_text=True)
    assert f'href="/fieldwork/interview/{slug}/start"' in home
    page = client.get(f"/fieldwork/interview/{slug}/start")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Read this aloud" in html and "This interview is anonymous" in html and "Are you happy to take part?" in html
    assert html.index("privacy-notice") < html.index('name="consent"')


def test_the_end_page_gives_support_details_and_starts_the_next_interview(app, client, make_campaign, make_user, login):
    slug = make_campaign()
    make_user("peer@example.org", "peer", communities=(slug,))
    login("peer@example.org")
    page_url = _start(client, slug).headers["Location"]
    done_url = page_url.replace("/page/1", "/done")
    assert client.get(done_url).headers["Location"].endswith("/resume")  # not finished: no end page yet
    for number in range(1, 5):
        _answer_page(client, page_url, number)
    html = client.get(done_url).get_data(as_text=True)
    assert "Interview saved" in html and "Support to hand over" in html
    for link in ('href="tel:116123"', 'href="tel:111"', 'href="tel:999"', 'href="sms:85258"'):
        assert link in html
    assert f'href="/fieldwork/interview/{slug}/start">Start the next interview' in html


def test_unfinished_interviews_are_listed_and_resume_where_they_stopped(app, client, make_campaign, make_user, login):
    slug = make_campaign()
    make_user("peer@example.org", "peer", communities=(slug,))
    login("peer@example.org")
    page_url = _start(client, slug).headers["Location"]
    _answer_page(client, page_url, 1)
    _answer_page(client, page_url, 2)
    home = client.get("/fieldwork/").get_data(as_text=True)
    assert "Your unfinished interviews" in home and "Dover Town" in home and "part 3 of 4" in home
    resume_url = page_url.replace("/page/1", "/resume")
    assert resume_url in home
    assert client.get(resume_url).headers["Location"] == page_url.replace("/page/1", "/page/3")


def test_discarding_asks_then_deletes_the_interview_and_audits_it(app, client, make_campaign, make_user, login):
    slug = make_campaign()
    make_user("peer@example.org", "peer", communities=(slug,))
    login("peer@example.org")
    page_url = _start(client, slug).headers["Location"]
    _answer_page(client, page_url, 1)
    discard_url = page_url.replace("/page/1", "/discard")
    confirm = client.get(discard_url).get_data(as_text=True)
    assert "Discard this interview?" in confirm and "part 2 of 4" in confirm
    token = csrf_token(confirm)
    unconfirmed = client.post(discard_url, data={"csrf_token": token})
    assert unconfirmed.status_code == 303 and unconfirmed.headers["Location"] == discard_url
    with app.app_context():
        assert db.session.scalars(select(Response)).one()
    done = client.post(discard_url, data={"csrf_token": token, "confirm": "yes"})
    assert done.status_code == 303 and done.headers["Location"] == "/fieldwork/"
    home = client.get("/fieldwork/").get_data(as_text=True)
    assert "Interview discarded" in home and "Your unfinished interviews" not in home
    with app.app_context():
        assert db.session.scalars(select(Response)).all() == [] and db.session.scalars(select(Answer)).all() == []
        deleted = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "response", AuditEvent.action == "delete")
        ).one()
        assert deleted.actor_label == "peer@example.org" and deleted.changes["mode"] == ["interview", None]


def test_a_finished_interview_cannot_be_discarded(app, client, make_campaign, make_user, login):
    slug = make_campaign()
    make_user("peer@example.org", "peer", communities=(slug,))
    login("peer@example.org")
    page_url = _start(client, slug).headers["Location"]
    for number in range(1, 5):
        _answer_page(client, page_url, number)
    discard_url = page_url.replace("/page/1", "/discard")
    token = csrf_token(client.get("/fieldwork/").get_data(as_text=True))
    assert client.post(discard_url, data={"csrf_token": token, "confirm": "yes"}).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Response)).one().status == "complete"


def test_peers_see_and_discard_only_their_own_interviews(app, client, make_campaign, make_user, login):
    own = make_campaign("dover-town")
    make_user("peer@example.org", "peer", communities=(own,))
    make_user("peer2@example.org", "peer", communities=(own,))
    login("peer@example.org")
    page_url = _start(client, own).headers["Location"]
    other = app.test_client()
    login("peer2@example.org", target=other)
    assert "Your unfinished interviews" not in other.get("/fieldwork/").get_data(as_text=True)
    discard_url = page_url.replace("/page/1", "/discard")
    assert other.get(discard_url).status_code == 404
    token = csrf_token(other.get("/fieldwork/").get_data(as_text=True))
    assert other.post(discard_url, data={"csrf_token": token, "confirm": "yes"}).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(Response)).one()

"""Interview mode: staff administer the questionnaire face to face; stored as mode `interview`."""

from __future__ import annotations

from sqlalchemy import select

from survey.extensions import db
from survey.models import Response, User
from tests.helpers import csrf_token, valid_answers


def _start(client, slug: str, consent: bool = True):
    token = csrf_token(client.get("/fieldwork/").get_data(as_text=True))
    data = {"csrf_token": token, **({"consent": "y"} if consent else {})}
    return client.post(f"/fieldwork/interview/{slug}/start", data=data)


def _names(client, url: str) -> list[str]:
    from tests.helpers import _InputCollector

    parser = _InputCollector()
    parser.feed(client.get(url).get_data(as_text=True))
    return list(
        dict.fromkeys(str(a["name"]) for a in parser.inputs if a.get("name") not in ("csrf_token", "response", None))
    )


def test_peer_runs_a_whole_interview(app, client, make_campaign, make_user, login):
    slug = make_campaign()
    make_user("peer@example.org", "peer", communities=(slug,))
    login("peer@example.org")
    home = client.get("/fieldwork/").get_data(as_text=True)
    assert "Dover-Town survey" in home or "Dover Town survey" in home
    started = _start(client, slug)
    assert started.status_code == 303
    page_url = started.headers["Location"]
    assert "Read each question" in client.get(page_url).get_data(as_text=True)
    for number in range(1, 5):
        url = page_url.replace("/page/1", f"/page/{number}")
        token = csrf_token(client.get(url).get_data(as_text=True))
        posted = client.post(url, data={"csrf_token": token, "action": "next", **valid_answers(_names(client, url))})
        assert posted.status_code == 303, (number, posted.get_data(as_text=True)[:500])
    assert posted.headers["Location"].endswith("/done")
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        peer = db.session.scalars(select(User)).one()
        assert (response.mode, response.status, response.entered_by_id, response.verified) == (
            "interview",
            "complete",
            peer.id,
            True,
        )


def test_interview_needs_the_consent_confirmation(app, client, make_campaign, make_user, login):
    slug = make_campaign()
    make_user("peer@example.org", "peer", communities=(slug,))
    login("peer@example.org")
    refused = _start(client, slug, consent=False)
    # Issue 16: the missing tick is named in an error summary on the consent page itself (was a flash on /fieldwork/).
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'class="govuk-error-summary"' in html and 'href="#consent"' in html and "agrees to take part" in html
    with app.app_context():
        assert db.session.scalars(select(Response)).all() == []


def test_peer_sees_and_interviews_only_in_assigned_communities(app, client, make_campaign, make_user, login):
    own = make_campaign("dover-town")
    other = make_campaign("sheppey", asset_slugs=("sheppey_library",), licence=False)
    make_user("peer@example.org", "peer", communities=(own,))
    login("peer@example.org")
    home = client.get("/fieldwork/").get_data(as_text=True)
    assert "Dover Town survey" in home and "Sheppey survey" not in home
    assert _start(client, other).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(Response)).all() == []


def test_peer_cannot_open_another_peers_interview(app, client, make_campaign, make_user, login):
    slug = make_campaign()
    make_user("peer@example.org", "peer", communities=(slug,))
    make_user("peer2@example.org", "peer", communities=(slug,))
    login("peer@example.org")
    page_url = _start(client, slug).headers["Location"]
    second = app.test_client()
    login("peer2@example.org", target=second)
    assert second.get(page_url).status_code == 404


def test_an_interview_asks_the_ons_scales_first_and_stores_them(app, client, make_campaign, make_user, login):
    slug = make_campaign(keys=("ons4", "wemwbs"), asset_slugs=())
    make_user("peer@example.org", "peer", communities=(slug,))
    login("peer@example.org")
    page_url = _start(client, slug).headers["Location"]
    html = client.get(page_url).get_data(as_text=True)
    assert "Read each question" in html and "0 = Not at all satisfied" in html
    assert _names(client, page_url) == ["ons_life_satisfaction", "ons_worthwhile", "ons_happy", "ons_anxious"]
    answers = {"ons_life_satisfaction": 9, "ons_worthwhile": 8, "ons_happy": 10, "ons_anxious": 0}
    for number, data in ((1, answers), (2, valid_answers(_names(client, page_url.replace("/page/1", "/page/2"))))):
        url = page_url.replace("/page/1", f"/page/{number}")
        token = csrf_token(client.get(url).get_data(as_text=True))
        posted = client.post(url, data={"csrf_token": token, "action": "next", **data})
        assert posted.status_code == 303, (number, posted.get_data(as_text=True)[:500])
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert (response.mode, response.status) == ("interview", "complete")
        assert {a.item_key: a.value for a in response.answers if a.item_key.startswith("ons_")} == answers


def test_double_clicked_start_makes_one_interview(app, client, make_campaign, make_user, login):
    """The consent form carries a one-time token, as the residents' does: a second click of Start
    (no JavaScript to stop it) leads to the interview the first one started."""
    import re

    slug = make_campaign()
    make_user("peer@example.org", "peer", communities=(slug,))
    login("peer@example.org")
    html = client.get(f"/fieldwork/interview/{slug}/start").get_data(as_text=True)
    start_token = re.search(r'name="start_token" value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_token(html), "start_token": start_token, "consent": "y"}
    first = client.post(f"/fieldwork/interview/{slug}/start", data=data)
    second = client.post(f"/fieldwork/interview/{slug}/start", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert len(db.session.scalars(select(Response).where(Response.mode == "interview")).all()) == 1
    bad = client.post(f"/fieldwork/interview/{slug}/start", data={**data, "start_token": "not a token"})
    assert bad.status_code == 400

"""The campaign dashboard's quotas (targets per community, age band and gender, audited), interviews
per interviewer, and the compact by-week view (issue 16 part 8)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from survey.campaigns.dashboard import campaign_dashboard
from survey.campaigns.quotas import QUOTA_LOCK_BASE
from survey.extensions import db
from survey.models import Answer, AuditEvent, Campaign, CampaignQuota, User
from tests.helpers import csrf_token
from tests.test_research_support import add_response, save_while_another_writes, sign_in

# (status, mode, submitted on, age band code, gender code, interviewer email)
ROWS = [
    ("complete", "online", (2025, 6, 2), 1, 1, None),  # Monday
    ("complete", "online", (2025, 6, 8), 1, 2, None),  # Sunday of the same week
    ("complete", "interview", (2025, 6, 9), 2, 1, "peer1@example.org"),  # the next Monday
    ("complete", "interview", (2025, 6, 20), None, 1, "peer1@example.org"),  # age skipped
    ("complete", "interview", (2025, 6, 20), 2, None, "peer2@example.org"),
    ("partial", "interview", None, 1, 1, "peer2@example.org"),  # not complete: counts nowhere
]


def _fill(app, make_campaign, make_user) -> int:
    make_campaign("dover-town")
    make_user("peer1@example.org", "peer", ("dover-town",))
    make_user("peer2@example.org", "peer", ("dover-town",))
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
        users = {user.email: user for user in db.session.scalars(select(User))}
        for status, mode, day, age, gender, email in ROWS:
            submitted = datetime(*day, 12, 0, tzinfo=UTC) if day else None
            response = add_response(campaign, status=status, mode=mode, submitted_at=submitted)
            response.entered_by = users.get(email) if email else None
            for key, value in (("age_band", age), ("gender", gender)):
                if value is not None:
                    response.answers.append(Answer(item_key=key, value=value))
            db.session.add(response)
        db.session.commit()
        return campaign.id


def _post(client, url: str, data: dict[str, str]):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_quotas_are_set_shown_with_progress_and_audited(app, client, make_campaign, make_user, login):
    _fill(app, make_campaign, make_user)
    sign_in(make_user, login)
    url = "/research/campaigns/dover-town/quotas"
    form = client.get(url).get_data(as_text=True)
    for name in ("quota-community-dover-town", "quota-age_band-1", "quota-age_band-7", "quota-gender-3"):
        assert f'name="{name}"' in form
    saved = _post(client, url, {"quota-community-dover-town": "100", "quota-age_band-1": "20", "quota-gender-1": "50"})
    assert saved.status_code == 303 and saved.headers["Location"].startswith("/research/campaigns/dover-town")
    page = client.get("/research/campaigns/dover-town").get_data(as_text=True)
    rows = dict(
        re.findall(
            r'<th scope="row">([^<]+)</th>\s*<td class="number">(\d+)</td>\s*'
            r'<td class="number">\d+</td>\s*<td class="number">\d+</td>',
            page,
        )
    )
    assert rows == {"Community: Dover Town": "100", "Age: 16-24": "20", "Gender: Woman": "50"}
    assert "Quotas saved." in page
    counts = re.findall(
        r'<td class="number">(\d+)</td>\s*<td class="number">(\d+)</td>\s*'
        r'<td class="number">(\d+)</td>\s*<td><progress',
        page,
    )
    assert counts == [("100", "5", "95"), ("20", "2", "18"), ("50", "3", "47")]

    changed = _post(client, url, {"quota-community-dover-town": "100", "quota-age_band-1": "", "quota-gender-1": "60"})
    assert changed.status_code == 303
    with app.app_context():
        stored = {(q.dimension, q.category): q.target for q in db.session.scalars(select(CampaignQuota))}
        assert stored == {("community", "dover-town"): 100, ("gender", "1"): 60}
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "campaign_quota").order_by(AuditEvent.id)
        ).all()
        assert sorted(event.action for event in events) == ["create", "create", "create", "delete", "update"]
        update = next(event for event in events if event.action == "update")
        assert update.changes["target"] == [50, 60] and update.actor_label == "researcher@example.org"


def test_a_bad_target_is_named_in_plain_words_and_nothing_is_saved(app, client, make_campaign, make_user, login):
    _fill(app, make_campaign, make_user)
    sign_in(make_user, login)
    url = "/research/campaigns/dover-town/quotas"
    refused = _post(client, url, {"quota-age_band-2": "lots", "quota-gender-2": "12"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'href="#quota-age_band-2"' in html and "Enter the target for 25-34 as a whole number of at least 1" in html
    assert 'value="lots"' in html and 'value="12"' in html  # what was typed is kept
    with app.app_context():
        assert db.session.scalars(select(CampaignQuota)).all() == []


@pytest.mark.parametrize("typed", ["9" * 5000, "\u00b2"])
def test_a_target_int_cannot_read_gets_the_same_plain_words(app, client, make_campaign, make_user, login, typed):
    # More digits than int() reads, and a superscript that isdigit() accepts: both were a 500.
    make_campaign("dover-town")
    sign_in(make_user, login)
    refused = _post(client, "/research/campaigns/dover-town/quotas", {"quota-age_band-2": typed})
    assert refused.status_code == 422
    assert "Enter the target for 25-34 as a whole number of at least 1" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(CampaignQuota)).all() == []


def test_a_double_clicked_save_stores_each_target_once(app, client, make_campaign, make_user, login):
    # The other click's request inserts the same new target first: this one waits, then updates it
    # (it inserted a second row, and PostgreSQL's unique constraint made that a 500).
    make_campaign("dover-town")
    sign_in(make_user, login)
    with app.app_context():
        campaign_id = db.session.scalars(select(Campaign.id).filter_by(slug="dover-town")).one()

    def first_click(other) -> None:
        other.add(CampaignQuota(campaign_id=campaign_id, dimension="age_band", category="2", target=60))

    url = "/research/campaigns/dover-town/quotas"
    answers = save_while_another_writes(
        app, client, url, {"quota-age_band-2": "60"}, QUOTA_LOCK_BASE + campaign_id, first_click
    )
    assert answers == [303]
    with app.app_context():
        rows = db.session.scalars(select(CampaignQuota)).all()
        assert [(row.dimension, row.category, row.target) for row in rows] == [("age_band", "2", 60)]


def test_dashboard_counts_interviews_per_interviewer_and_weeks(app, client, make_campaign, make_user, login):
    campaign_id = _fill(app, make_campaign, make_user)
    with app.app_context():
        dashboard = campaign_dashboard(db.session.get(Campaign, campaign_id), "Europe/London")
        assert [(row.name, row.complete, row.partial) for row in dashboard.interviewers] == [
            ("peer1@example.org", 2, 0),
            ("peer2@example.org", 1, 1),
        ]
        assert dashboard.by_week == [(date(2025, 6, 2), 2), (date(2025, 6, 9), 1), (date(2025, 6, 16), 2)]
        assert dashboard.busiest_week == 2
    sign_in(make_user, login)
    page = client.get("/research/campaigns/dover-town").get_data(as_text=True)
    assert "Complete responses by week" in page and "02 Jun 2025" in page and "16 Jun 2025" in page
    assert re.search(r'<th scope="row">peer2@example.org</th><td class="number">1</td><td class="number">1</td>', page)
    assert 'role="region" aria-labelledby="weeks-title" tabindex="0"' in page


def test_peers_cannot_reach_quotas(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_user("peer@example.org", "peer", ("dover-town",))
    login("peer@example.org")
    assert client.get("/research/campaigns/dover-town/quotas").status_code == 403


def test_tampered_choices_get_plain_words_not_wtforms_defaults(app, client, make_campaign, make_user, login):
    """A list answer that is not in the list (a stale page, a tampered form) is named in plain words."""
    make_campaign("dover-town")
    sign_in(make_user, login)
    url = "/research/campaigns/new"
    html = _post(client, url, {"community_id": "x", "slug": "a-b", "title": "T", "position_sixways": "99"}).get_data(
        as_text=True
    )
    assert "Choose a community from the list." in html and "Choose when" in html and "or Not asked." in html
    assert "Not a valid choice" not in html and "could not coerce" not in html

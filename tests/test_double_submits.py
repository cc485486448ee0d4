"""A double-clicked Create, or two people saving the same new name at once: the second request waits
for the first (survey.database.NAMING_LOCK_KEY), finds the name taken and says so beside the box.

Without that turn both requests found the name free, and on PostgreSQL the second insert broke the
unique constraint: a 500 (about nine tries in ten with two requests sent together).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from survey.database import NAMING_LOCK_KEY
from survey.extensions import db
from survey.models import Asset, Campaign, CampaignInstrument, Community, Theme, User
from tests.test_research_support import save_while_another_writes, sign_in

# (page, what the form sends, the other request's row given the community's and the campaign's ids,
# which rows have that name, the message)
CASES: dict[str, tuple[str, dict[str, str], Callable[[int, int], Any], Any, str]] = {
    "community": (
        "/research/communities/new",
        {"slug": "race-town", "name": "Race Town"},
        lambda _community, _campaign: Community(slug="race-town", name="Race Town"),
        Community.slug == "race-town",
        "The web address race-town is already used by Race Town",
    ),
    "asset": (
        "/research/communities/dover-town/assets/new",
        {"slug": "race_hall", "name": "Race Hall", "kind": "place"},
        lambda community, _campaign: Asset(slug="race_hall", name="Race Hall", kind="place", community_id=community),
        Asset.slug == "race_hall",
        "The web address race_hall is already used by Race Hall",
    ),
    "campaign": (
        "/research/campaigns/new",
        {"slug": "race-2026", "title": "Race", "position_sixways": "1", "double_entry_percent": "0"},
        lambda community, _campaign: Campaign(
            slug="race-2026", title="Race", community_id=community, instrument_keys=["sixways"]
        ),
        Campaign.slug == "race-2026",
        "The web address race-2026 is already used by the campaign Race",
    ),
    "staff account": (
        "/admin/users/new",
        {"email": "race@example.org", "role": "researcher"},
        lambda _community, _campaign: User(email="race@example.org", role="researcher"),
        User.email == "race@example.org",
        "An account for race@example.org already exists",
    ),
    "theme": (
        "/research/campaigns/dover-town/themes/new",
        {"key": "race_theme", "name": "Racing"},
        lambda _community, campaign: Theme(campaign_id=campaign, key="race_theme", name="Racing"),
        Theme.key == "race_theme",
        "already has a theme with the key race_theme",
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_a_name_saved_by_another_request_meanwhile_is_refused_not_a_500(
    app, client, make_campaign, make_user, login, kind
):
    url, data, other_row, same_name, message = CASES[kind]
    make_campaign("dover-town")
    sign_in(make_user, login, role="admin")
    with app.app_context():  # read now: while the other request writes, SQLite lets nobody else begin
        community = db.session.scalars(select(Community.id).filter_by(slug="dover-town")).one()
        campaign = db.session.scalars(select(Campaign.id).filter_by(slug="dover-town")).one()
    if kind == "campaign":
        data = {**data, "community_id": str(community)}

    def first_click(other: Session) -> None:
        other.add(other_row(community, campaign))

    pages: list[str] = []
    answers = save_while_another_writes(app, client, url, data, NAMING_LOCK_KEY, first_click, pages)
    assert answers == [422], pages
    assert message in pages[0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(same_name)) == 1


def test_a_double_clicked_open_snapshots_the_campaign_once(app, client, make_campaign, make_user, login):
    # The other click's request holds the campaign's row while it opens it: this one waits, then finds
    # it open (it snapshotted the instruments again: a 500 from their unique position on PostgreSQL).
    make_campaign("dover-town", open_it=False)
    sign_in(make_user, login)
    with app.app_context():
        campaign = db.session.scalars(select(Campaign.id).filter_by(slug="dover-town")).one()
    row = text("SELECT id FROM campaign WHERE id = :id FOR UPDATE")  # SQLite: the write lock suffices

    def hold(other: Session) -> None:
        if other.get_bind().dialect.name == "postgresql":
            other.execute(row, {"id": campaign})

    def first_click(other: Session) -> None:  # its opening, as far as this request can tell
        other.execute(text("UPDATE campaign SET status = 'open' WHERE id = :id"), {"id": campaign})

    url = "/research/campaigns/dover-town/open"
    answers = save_while_another_writes(
        app, client, url, {}, hold, first_click, token_url="/research/campaigns/dover-town"
    )
    assert answers == [303]
    with app.app_context():
        assert db.session.scalar(select(func.count(CampaignInstrument.id))) == 0  # nothing snapshotted twice

"""The codebook of themes per campaign (issue 15, Must show 2): adding, changing and deleting themes, the
confirmation before a theme that codes excerpts goes, and the codebook CSV with the built-in codes."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Asset, AuditEvent, Campaign, DataAccess, DeepDive, ExcerptCode, Theme
from tests.coding_support import add_deep_dive, add_excerpt, add_theme, community
from tests.helpers import csrf_token, post_form

RESEARCHER = "codebook@example.org"
THEMES = "/research/campaigns/dover-town/themes"


@pytest.fixture
def keeper(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_user(RESEARCHER, "researcher")
    assert login(RESEARCHER).status_code == 303
    return client


def _themes(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(t.key, t.name, t.description) for t in db.session.scalars(select(Theme).order_by(Theme.key))]


def test_adding_and_changing_a_theme(app, keeper):
    added = post_form(
        keeper,
        f"{THEMES}/new",
        f"{THEMES}/new",
        {"key": " Cost_Of_Living ", "name": "Cost of living", "description": "Money worries."},
    )
    assert added.status_code == 303 and added.headers["Location"] == THEMES
    assert _themes(app) == [("cost_of_living", "Cost of living", "Money worries.")]
    listing = keeper.get(THEMES).get_data(as_text=True)
    assert "Cost of living" in listing and "cost_of_living" in listing
    url = f"{THEMES}/cost_of_living/edit"
    assert 'value="Cost of living"' in keeper.get(url).get_data(as_text=True)
    changed = post_form(keeper, url, url, {"key": "money", "name": "Money", "description": ""})
    assert changed.status_code == 303 and _themes(app) == [("money", "Money", "")]
    assert keeper.get(url).status_code == 404  # the old key is gone


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"key": "", "name": "A name"}, "Enter a key, like cost_of_living."),
        ({"key": "cost of living", "name": "A name"}, "Use only lower-case letters a to z, digits and underscores"),
        ({"key": "café", "name": "A name"}, "Use only lower-case letters a to z, digits and underscores"),
        ({"key": "a" * 41, "name": "A name"}, "Use at most 40 characters for the key."),
        ({"key": "isolation", "name": ""}, "Enter a name, like Cost of living."),
        ({"key": "isolation", "name": "n" * 121}, "Use at most 120 characters for the name."),
        ({"key": "taken", "name": "Again"}, "already has a theme with the key taken."),
    ],
)
def test_bad_themes_are_refused_with_a_message_keeping_what_was_typed(app, keeper, data, message):
    with app.app_context():
        add_theme(db.session.scalars(select(Campaign)).one(), "taken", "Taken")
        db.session.commit()
    answer = post_form(keeper, f"{THEMES}/new", f"{THEMES}/new", data)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and message in page and "There is a problem" in page
    if data["key"]:
        assert f'value="{data["key"]}"' in page
    assert _themes(app) == [("taken", "Taken", "")]


def test_a_theme_key_may_repeat_in_another_campaign(app, keeper, make_campaign):
    make_campaign("sheppey", asset_slugs=("sheppey_pier",))
    with app.app_context():
        add_theme(db.session.scalars(select(Campaign).filter_by(slug="sheppey")).one(), "access", "Access")
        db.session.commit()
    answer = post_form(keeper, f"{THEMES}/new", f"{THEMES}/new", {"key": "access", "name": "Getting there"})
    assert answer.status_code == 303
    assert [key for key, _name, _description in _themes(app)] == ["access", "access"]


def test_deleting_a_theme_that_codes_excerpts_asks_first_and_says_how_many_codes_go(app, keeper):
    with app.app_context():
        campaign = db.session.scalars(select(Campaign)).one()
        used, unused = add_theme(campaign, "isolation", "Isolation"), add_theme(campaign, "spare", "Spare")
        deep_dive = add_deep_dive(community(), campaign=campaign)
        add_excerpt(deep_dive, "The library is where I see people.", themes=(used,), sixways=("connect",))
        add_excerpt(deep_dive, "I go every Tuesday.", themes=(used,))
        db.session.commit()
        assert unused.id
    token = csrf_token(keeper.get(THEMES).get_data(as_text=True))
    asked = keeper.post(f"{THEMES}/isolation/delete", data={"csrf_token": token})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "It codes 2 excerpts: those 2 codes go with it." in page
    assert len(_themes(app)) == 2  # nothing deleted yet
    confirmed = keeper.post(f"{THEMES}/isolation/delete", data={"csrf_token": csrf_token(page), "confirm": "yes"})
    assert confirmed.status_code == 303
    assert "with its 2 codes on excerpts" in keeper.get(THEMES).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ExcerptCode.id))) == 1  # the six ways code stays
        audited = db.session.scalars(
            select(AuditEvent.actor_label).filter_by(entity_type="excerpt_code", action="delete")
        ).all()
        assert audited == [RESEARCHER, RESEARCHER]  # each code that went is in the audit trail
        deep_dive_id = db.session.scalars(select(DeepDive.id)).one()
    coding = keeper.get(f"/research/deep-dives/{deep_dive_id}/code").get_data(as_text=True)
    assert "No codes left (its theme was deleted)" in coding  # the excerpt coded only with it stays
    unused_gone = keeper.post(f"{THEMES}/spare/delete", data={"csrf_token": token})
    assert unused_gone.status_code == 303 and _themes(app) == []  # no codes: no question


def _csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_codebook_csv_is_the_whole_code_system_and_is_logged(app, keeper):
    with app.app_context():
        campaign = db.session.scalars(select(Campaign)).one()
        add_theme(campaign, "isolation", "=Isolation", "Cut off from others.")
        db.session.scalars(select(Asset).filter_by(slug="dover_seafront")).one().retired = True
        db.session.commit()
    answer = keeper.get(f"{THEMES}.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = _csv(answer.get_data(as_text=True))
    assert list(rows[0]) == ["theme_key", "name", "description", "kind"]
    assert [(r["theme_key"], r["kind"]) for r in rows] == [
        ("connect", "sixways"),
        ("be_active", "sixways"),
        ("keep_learning", "sixways"),
        ("take_notice", "sixways"),
        ("give", "sixways"),
        ("care", "sixways"),
        ("dover_library", "asset"),
        ("dover_seafront", "asset"),  # retired, but excerpts coded earlier may name it
        ("isolation", "theme"),
    ]
    assert rows[0]["name"] == "Connect" and "spent time with family, friends or neighbours?" in rows[0]["description"]
    assert rows[-1]["name"] == "'=Isolation"  # formula guard
    with app.app_context():
        logged = db.session.scalars(select(DataAccess)).one()
        assert (logged.resource, logged.format, logged.channel) == ("excerpt-codebook", "csv", "web")
        assert logged.filters == {"campaign": "dover-town"} and logged.row_count == 9
        assert logged.user_label == RESEARCHER


def test_the_codebook_command_writes_the_same_file(app, keeper, runner, tmp_path):
    with app.app_context():
        add_theme(db.session.scalars(select(Campaign)).one(), "isolation", "Isolation")
        db.session.commit()
    web = keeper.get(f"{THEMES}.csv").get_data(as_text=True)
    out = tmp_path / "codebook.csv"
    result = runner.invoke(args=["excerpts", "codebook", "--campaign", "dover-town", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 9 codes of Dover Town survey" in result.output
    assert out.read_bytes().decode("utf-8") == web
    missing = runner.invoke(args=["excerpts", "codebook", "--campaign", "nowhere", "--out", str(out)])
    assert missing.exit_code != 0 and 'No campaign has the slug "nowhere"' in missing.output
    with app.app_context():
        labels = db.session.scalars(select(DataAccess.user_label).order_by(DataAccess.id)).all()
        assert labels == [RESEARCHER, "cli:excerpts-codebook"]
        assert db.session.scalar(select(func.count(DeepDive.id))) == 0

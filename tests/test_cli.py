"""The Flask CLI: init-db, demo, licence add."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey import create_app
from survey.extensions import db
from survey.models import (
    AnalysisSnapshot,
    Asset,
    Campaign,
    Community,
    DeepDive,
    Discrepancy,
    Excerpt,
    Licence,
    PaperEntry,
    Response,
    Workshop,
    WorkshopRating,
)


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Community, Asset, Campaign, Response, Licence)
        }


def test_init_db_migrates_a_new_sqlite_file(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}", "SECRET_KEY": "x"})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert _counts(app)["Community"] == 0
    with app.app_context():
        db.engine.dispose()


@pytest.mark.slow
def test_demo_loads_four_open_communities_once(app, runner):
    first = runner.invoke(args=["demo", "--responses", "40"])
    assert first.exit_code == 0, first.output
    counts = _counts(app)
    assert counts["Community"] == 4 and counts["Campaign"] == 4 and counts["Licence"] == 1
    assert counts["Response"] == 160 + 4 * 8  # online and interview, plus 8 keyed paper forms per community
    second = runner.invoke(args=["demo", "--responses", "40"])
    assert second.exit_code == 0, second.output
    assert _counts(app) == counts
    with app.app_context():
        # One open impact workshop for Dover Town, with synthetic ratings, made once.
        workshop = db.session.scalars(select(Workshop)).one()
        assert (workshop.community.slug, workshop.status) == ("dover-town", "open")
        assert "Demo impact workshop (Dover Town): join at /w/" in first.output
        assert db.session.scalar(select(func.count()).select_from(WorkshopRating)) == 6 * 4
        # Dover Town's profile figures were built at once (a second run finds them current).
        snapshot = db.session.scalars(select(AnalysisSnapshot)).one()
        assert (snapshot.community_id, snapshot.status) == (workshop.community_id, "done")
        assert snapshot.campaign_slug is None and snapshot.figures["assets"]
        assert "Dover Town's asset profiles are ready" in first.output
        # Two synthetic deep dives in Dover Town, coded; every excerpt's text is its span of the transcript.
        deep_dives = db.session.scalars(select(DeepDive).order_by(DeepDive.participant_code)).all()
        assert [(d.participant_code, d.synthetic, d.community.slug) for d in deep_dives] == [
            ("DOV-01", True, "dover-town"),
            ("DOV-02", True, "dover-town"),
        ]
        assert [d.consent_sharing for d in deep_dives] == [True, False]
        excerpts = db.session.scalars(select(Excerpt)).all()
        assert len(excerpts) == 7 and all(e.codes for e in excerpts)
        assert all(e.deep_dive.transcript[e.start : e.end] == e.text for e in excerpts)
        coded_assets = {code.asset.slug for e in excerpts for code in e.codes if code.asset is not None}
        assert {"dover_library", "dover_seafront", "dover_foodbank"} <= coded_assets
        assert "Demo deep-dive interviews (Dover Town, synthetic): 2 coded." in first.output
    with app.app_context():
        slugs = set(db.session.scalars(select(Campaign.slug).where(Campaign.status == "open")))
        assert slugs == {"dover-town", "aylesham", "sheppey", "swanley"}
        complete = db.session.scalar(select(func.count(Response.id)).where(Response.status == "complete"))
        assert 0 < complete < 160 + 32  # a few are left partial on purpose
        modes = dict(
            db.session.execute(
                select(Response.mode, func.count()).where(Response.status == "complete").group_by(Response.mode)
            ).all()
        )
        assert modes["paper"] == 32 and modes["interview"] > 0 and modes["online"] > 0
        # Double entry: some forms keyed twice, one discrepancy resolved and one left for a researcher.
        resolved = dict(
            db.session.execute(select(Discrepancy.resolved, func.count()).group_by(Discrepancy.resolved)).all()
        )
        assert resolved == {True: 1, False: 1}
        assert db.session.scalar(select(func.count()).select_from(PaperEntry).where(PaperEntry.entry_number == 2)) > 2
        unverified = db.session.scalar(select(func.count(Response.id)).where(Response.verified.is_(False)))
        assert unverified == 1  # the paper form whose discrepancy is still open


def test_demo_if_empty_leaves_a_used_database_alone(app, runner):
    with app.app_context():
        db.session.add(Community(slug="real", name="A real community"))
        db.session.commit()
    result = runner.invoke(args=["demo", "--if-empty", "--no-profiles"])
    assert result.exit_code == 0 and "already has data" in result.output
    assert _counts(app)["Community"] == 1


def test_demo_campaigns_are_answerable(app, runner, client):
    runner.invoke(args=["demo", "--responses", "20", "--no-paper", "--no-profiles"])
    page = client.get("/s/aylesham")
    assert page.status_code == 200 and "Aylesham" in page.get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert all(name in home for name in ("Dover Town", "Aylesham", "Sheppey", "Swanley"))


def test_licence_add_records_and_validates(app, runner):
    ok = runner.invoke(args=["licence", "add", "wemwbs", "--holder", "Kent County Council", "--reference", "W-123"])
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        licence = db.session.scalars(select(Licence)).one()
        assert (licence.instrument_key, licence.holder, licence.reference) == ("wemwbs", "Kent County Council", "W-123")
    unknown = runner.invoke(args=["licence", "add", "nosuch", "--holder", "X", "--reference", "Y"])
    assert unknown.exit_code != 0 and "Unknown instrument" in unknown.output
    missing = runner.invoke(args=["licence", "add", "wemwbs", "--holder", "X"])
    assert missing.exit_code != 0 and "--reference" in missing.output
    assert _counts(app)["Licence"] == 1


def test_demo_staff_accounts_are_printed_once_and_can_sign_in(app, runner, client):
    import re

    from tests.helpers import csrf_token

    first = runner.invoke(args=["demo", "--responses", "10", "--no-paper", "--no-profiles"])
    accounts = re.findall(r"^\s+(admin|researcher|peer)\s+(\S+@demo\.example\.org)\s+(\S+)$", first.output, re.M)
    assert {role for role, _email, _password in accounts} == {"admin", "researcher", "peer"}
    assert len(accounts) == 6  # admin, researcher and one peer per community
    second = runner.invoke(args=["demo", "--responses", "10", "--no-paper", "--no-profiles"])
    assert "@demo.example.org" not in second.output
    _role, email, password = next(a for a in accounts if a[0] == "peer" and "aylesham" in a[1])
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"csrf_token": token, "email": email, "password": password}).status_code == 303
    fieldwork = client.get("/fieldwork/").get_data(as_text=True)
    assert "Aylesham" in fieldwork and "Swanley" not in fieldwork

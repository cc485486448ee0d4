"""The audit trail: who created, changed or deleted what, with before and after values."""

from __future__ import annotations

from sqlalchemy import select

from survey.accounts.operations import create_user, set_active
from survey.audit.trail import acting_as
from survey.campaigns.licences import add_licence
from survey.extensions import db
from survey.models import Asset, AuditEvent, Community, Licence, Response, User
from tests.helpers import Resident, complete_survey


def _events(entity_type: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).filter_by(entity_type=entity_type).order_by(AuditEvent.id)))


def test_creates_changes_and_deletes_are_recorded_with_who_and_values(app):
    with app.app_context():
        admin = create_user("admin@example.org", "admin", "a long admin password")
        db.session.commit()
        with acting_as(admin.id, admin.email):
            community = Community(slug="swanley", name="Swanley")
            asset = Asset(slug="swanley_park", community=community, name="Swanley Park", kind="place", annual_cost=1000)
            db.session.add_all([community, asset])
            db.session.commit()
            asset.annual_cost = 1500
            asset.name = "Swanley Park and lake"
            db.session.commit()
            db.session.delete(asset)
            db.session.commit()
        create, update, delete = _events("asset")
        assert (create.action, create.actor_id, create.actor_label) == ("create", admin.id, "admin@example.org")
        assert create.changes["name"] == [None, "Swanley Park"]
        assert update.action == "update"
        assert update.changes == {"annual_cost": [1000, 1500], "name": ["Swanley Park", "Swanley Park and lake"]}
        assert delete.action == "delete" and delete.changes["slug"] == ["swanley_park", None]


def test_user_and_licence_changes_are_recorded_without_secrets(app):
    with app.app_context():
        with acting_as(None, "cli:create-user"):
            user = create_user("peer@example.org", "peer", "a long peer password")
            add_licence("wemwbs", holder="Kent County Council", reference="W-1")
            db.session.commit()
            set_active(user, False)
            db.session.commit()
        created, deactivated = _events("user")
        assert created.actor_label == "cli:create-user"
        assert created.changes["password_hash"] == "changed" and created.changes["session_token"] == "changed"
        assert deactivated.changes["active"] == [True, False]
        assert deactivated.changes["session_token"] == "changed"
        (licence,) = _events("licence")
        assert licence.changes["holder"] == [None, "Kent County Council"]
        dumped = str([event.changes for event in db.session.scalars(select(AuditEvent))])
        assert "a long peer password" not in dumped and user.password_hash not in dumped


def test_resident_responses_are_recorded_at_response_level_only(app, client, make_campaign):
    slug = make_campaign()
    complete_survey(Resident(client, slug), 4)
    with app.app_context():
        events = _events("response")
        assert events[0].action == "create" and events[0].actor_label == "resident"
        assert any(e.changes.get("status") == ["partial", "complete"] for e in events)
        assert _events("answer") == []  # anonymous answers are not copied into the trail
        assert db.session.scalars(select(Response)).one().status == "complete"


def test_audit_rows_roll_back_with_the_change(app):
    with app.app_context():
        db.session.add(Licence(instrument_key="wemwbs", holder="X", reference="Y"))
        db.session.flush()
        db.session.rollback()
        assert _events("licence") == []
        assert db.session.scalars(select(User)).all() == []


def test_community_assignments_are_recorded_as_slugs(app):
    with app.app_context():
        dover, sheppey = Community(slug="dover-town", name="Dover Town"), Community(slug="sheppey", name="Sheppey")
        user = create_user("peer@example.org", "peer", "a long peer password", communities=[dover])
        db.session.add(sheppey)
        db.session.commit()
        with acting_as(None, "test"):
            user.communities = [sheppey]
            db.session.commit()
        changed = _events("user")[-1]
        assert changed.changes == {"communities": [["dover-town"], ["sheppey"]]}


def test_signing_in_and_setting_a_password_are_recorded_as_the_person_not_anonymous(app, client, make_user, login):
    # Before anyone is signed in the request's actor is "anonymous": the admin reading the trail saw
    # "anonymous updated user 1" for every sign-in, as if someone had tampered with the account.
    from survey.accounts.operations import issue_password_reset
    from tests.helpers import csrf_token

    email = make_user("rita@example.org", "researcher")
    assert login(email).status_code == 303
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/password").get_data(as_text=True))})
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        user_id = user.id
        token, _expires = issue_password_reset(user, None, 48)
        db.session.commit()
    page = client.get(f"/reset/{token}").get_data(as_text=True)
    new_password = "a brand new long password"
    form = {"csrf_token": csrf_token(page), "new_password": new_password, "confirm": new_password}
    assert client.post(f"/reset/{token}", data=form).status_code == 303
    with app.app_context():
        events = [e for e in _events("user") if e.action == "update"]
        signed_in = [e for e in events if "last_login_at" in e.changes]
        password_set = [e for e in events if "password_hash" in e.changes]
        assert signed_in and password_set
        assert {(e.actor_id, e.actor_label) for e in signed_in + password_set} == {(user_id, email)}

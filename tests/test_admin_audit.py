"""Admin licence screen and the audit trail viewer: filters, pages, before -> after, streamed CSV."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import func, select

import instruments
from survey.extensions import db
from survey.models import AuditEvent, Community, Licence, User
from tests.conftest import ADMIN_EMAIL as ADMIN
from tests.helpers import csrf_token, post_form

ROW = re.compile(r"<tr[^>]*>\s*<td[^>]*>.*?</tr>", re.S)  # a body row (the header row starts with <th>)


def _plain(html: str) -> str:
    """Visible text with tags and runs of whitespace collapsed, for matching table cells."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _count_events(app, *criteria) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)).where(*criteria))


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalars(select(User.id).filter_by(email=email)).one()


def test_licence_screen_explains_the_duty_and_records_a_licence(app, admin):
    html = admin.get("/admin/licences").get_data(as_text=True)
    assert "register with the University of" in html and "Warwick, free of charge" in html
    assert "Commercial use needs a paid licence" in html
    assert instruments.catalogue()["wemwbs"].licence.notice in html
    assert "no licence recorded" in html
    options = re.findall(r'<option value="([a-z_]*)"', html)
    assert options == ["", "swemwbs", "wemwbs"]  # only instruments that need registration

    added = post_form(
        admin,
        "/admin/licences",
        "/admin/licences",
        {"instrument_key": "wemwbs", "holder": " Kent County Council ", "reference": "WEMWBS-2024-118"},
    )
    assert added.status_code == 303
    with app.app_context():
        licence = db.session.scalars(select(Licence)).one()
        assert (licence.instrument_key, licence.holder, licence.reference) == (
            "wemwbs",
            "Kent County Council",
            "WEMWBS-2024-118",
        )
        assert licence.recorded_by.email == ADMIN
        event = db.session.scalars(select(AuditEvent).filter_by(entity_type="licence")).one()
        assert (event.action, event.actor_label, event.changes["holder"]) == (
            "create",
            ADMIN,
            [None, "Kent County Council"],
        )
    after = admin.get("/admin/licences").get_data(as_text=True)
    assert "WEMWBS-2024-118" in after and after.count("licence recorded") == 2  # SWEMWBS is covered too


def test_licence_form_errors_are_shown_beside_the_form(app, admin):
    not_licensable = post_form(
        admin, "/admin/licences", "/admin/licences", {"instrument_key": "sixways", "holder": "KCC", "reference": "X"}
    )
    assert not_licensable.status_code == 422
    missing = post_form(admin, "/admin/licences", "/admin/licences", {"instrument_key": "wemwbs", "reference": "R-1"})
    assert missing.status_code == 422
    html = missing.get_data(as_text=True)
    assert "Enter the organisation that holds the licence." in html and 'value="R-1"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Licence.id))) == 0


def test_audit_trail_is_paged_newest_first_with_before_and_after(app, admin, make_user):
    with app.app_context():
        for number in range(60):
            db.session.add(Community(slug=f"c{number}", name=f"Community {number}"))
        db.session.commit()
    make_user("peer@example.org", "peer")
    peer_id = _user_id(app, "peer@example.org")
    post_form(admin, f"/admin/users/{peer_id}", f"/admin/users/{peer_id}", {"name": "", "role": "researcher"})

    total = _count_events(app)
    assert total > 60
    html = admin.get("/admin/audit").get_data(as_text=True)
    rows = ROW.findall(html)
    assert len(rows) == 50
    assert f"{total} events." in html and f"Page 1 of {-(-total // 50)}." in html
    newest = rows[0]
    assert ADMIN in newest and "update" in newest and f"user {peer_id}" in newest
    assert "role : peer → researcher" in _plain(newest)

    older = admin.get("/admin/audit?page=2").get_data(as_text=True)
    assert len(ROW.findall(older)) == total - 50
    assert f"email : – → {ADMIN}" in _plain(older)  # the oldest event: the admin's account being created


def test_audit_filters_by_entity_type_action_and_actor(app, admin, make_user):
    make_user("peer@example.org", "peer")
    peer_id = _user_id(app, "peer@example.org")
    post_form(admin, f"/admin/users/{peer_id}", f"/admin/users/{peer_id}/deactivate")
    post_form(
        admin, "/admin/licences", "/admin/licences", {"instrument_key": "wemwbs", "holder": "KCC", "reference": "R"}
    )

    licences = admin.get("/admin/audit?entity_type=licence").get_data(as_text=True)
    assert len(ROW.findall(licences)) == _count_events(app, AuditEvent.entity_type == "licence") == 1
    by_admin = admin.get(f"/admin/audit?actor={ADMIN.upper()}").get_data(as_text=True)
    assert len(ROW.findall(by_admin)) == _count_events(app, AuditEvent.actor_label == ADMIN)
    assert "system" not in "".join(ROW.findall(by_admin))
    updates = admin.get(f"/admin/audit?entity_type=user&action=update&actor={ADMIN}").get_data(as_text=True)
    # The admin's own sign-in (last_login_at) is recorded under their name too.
    rows = [row for row in ROW.findall(updates) if "last_login_at" not in row]
    assert len(rows) == 1 and "active : true → false" in _plain(rows[0])
    assert "session_token : changed (value not recorded)" in _plain(rows[0])
    ignored = admin.get("/admin/audit?entity_type=nonsense&action=drop").get_data(as_text=True)
    assert len(ROW.findall(ignored)) == min(50, _count_events(app))  # unknown filters mean "any"


def test_audit_csv_is_streamed_with_a_row_per_changed_field(app, admin, make_user):
    page = admin.get("/admin/users/new").get_data(as_text=True)
    created = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(page),
            "email": "new@example.org",
            "name": '=HYPERLINK("http://evil")',
            "role": "peer",
        },
    )
    assert created.status_code == 303
    new_id = _user_id(app, "new@example.org")
    post_form(admin, f"/admin/users/{new_id}", f"/admin/users/{new_id}", {"name": "Nia", "role": "researcher"})
    post_form(admin, f"/admin/users/{new_id}", f"/admin/users/{new_id}/deactivate")
    post_form(
        admin, "/admin/licences", "/admin/licences", {"instrument_key": "wemwbs", "holder": "KCC", "reference": "R"}
    )

    download = admin.get("/admin/audit.csv")
    assert download.status_code == 200 and download.is_streamed
    assert download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    with app.app_context():
        events = db.session.scalars(select(AuditEvent)).all()
        assert len(rows) == sum(max(1, len(event.changes)) for event in events)
        newest_id = max(event.id for event in events)
    assert int(rows[0]["event_id"]) == newest_id  # newest first

    def find(entity_type: str, action: str, field: str) -> dict:
        matches = [
            r
            for r in rows
            if (r["entity_type"], r["action"], r["field"]) == (entity_type, action, field) and r["actor"] == ADMIN
        ]
        assert matches, (entity_type, action, field)
        return matches[0]

    assert find("user", "create", "email")["after"] == "new@example.org"
    assert find("user", "create", "name")["after"] == '\'=HYPERLINK("http://evil")'  # no formula in a spreadsheet
    renamed = find("user", "update", "name")
    assert (renamed["before"], renamed["after"]) == ('\'=HYPERLINK("http://evil")', "Nia")
    assert (find("user", "update", "role")["before"], find("user", "update", "role")["after"]) == ("peer", "researcher")
    assert (find("user", "update", "active")["before"], find("user", "update", "active")["after"]) == ("true", "false")
    assert find("user", "update", "session_token")["after"] == "changed"
    assert find("licence", "create", "holder")["after"] == "KCC"

    licence_csv = admin.get("/admin/audit.csv?entity_type=licence").get_data(as_text=True)
    filtered = list(csv.DictReader(io.StringIO(licence_csv)))
    assert {row["entity_type"] for row in filtered} == {"licence"} and len(filtered) == len(
        [r for r in rows if r["entity_type"] == "licence"]
    )


def test_audit_trail_is_read_only(admin):
    assert admin.post("/admin/audit").status_code == 405
    assert admin.post("/admin/audit.csv").status_code == 405

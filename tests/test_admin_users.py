"""Admin screens for staff accounts: create, edit, assignments, deactivation, one-time set-password links."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.accounts.api_tokens import create_token
from survey.extensions import db
from survey.models import ApiToken, AuditEvent, PasswordReset, User
from tests.conftest import ADMIN_EMAIL as ADMIN
from tests.helpers import csrf_token, post_form

LINK_PATTERN = re.compile(r'value="(http://localhost/reset/[A-Za-z0-9_-]+)"')


def _user(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        db.session.expunge_all()
        return user


def _audit(app, entity_type: str, action: str) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).filter_by(entity_type=entity_type, action=action).order_by(AuditEvent.id)
        ).all()
        return [(row.actor_label, row.changes) for row in rows]


def test_list_shows_each_account_with_role_status_communities_and_last_sign_in(admin, make_campaign, make_user):
    make_campaign("dover-town")
    make_user("peer@example.org", "peer", communities=("dover-town",))
    html = admin.get("/admin/users").get_data(as_text=True)
    peer_row = html[html.index("peer@example.org") :].split("</tr>")[0]
    assert "Dover Town" in peer_row and ">peer<" in peer_row and "active" in peer_row and "never" in peer_row
    admin_row = html[html.index(ADMIN) :].split("</tr>")[0]
    assert "never" not in admin_row  # the admin has just signed in


def test_create_account_without_password_then_link_shown_once_and_usable_once(app, admin, make_campaign):
    make_campaign("dover-town")
    page = admin.get("/admin/users/new").get_data(as_text=True)
    community_id = re.search(r'name="communities"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="communities"', page)
    assert community_id
    created = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(page),
            "email": " New.Peer@Example.org ",
            "name": "Nia Peer",
            "role": "peer",
            "communities": community_id.group(1) or community_id.group(2),
        },
    )
    assert created.status_code == 303
    user = _user(app, "new.peer@example.org")
    assert created.headers["Location"] == f"/admin/users/{user.id}"
    assert (user.name, user.role, user.password_hash, user.active) == ("Nia Peer", "peer", None, True)
    with app.app_context():
        assert [c.slug for c in db.session.get(User, user.id).communities] == ["dover-town"]
    assert [(actor, changes["email"]) for actor, changes in _audit(app, "user", "create")][-1] == (
        ADMIN,
        [None, "new.peer@example.org"],
    )

    issued = post_form(admin, f"/admin/users/{user.id}", f"/admin/users/{user.id}/reset-link")
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    link = LINK_PATTERN.search(issued.get_data(as_text=True)).group(1)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalars(select(PasswordReset)).one()
        assert stored.token_hash != token and token not in stored.token_hash  # only a hash is kept
    assert token not in admin.get(f"/admin/users/{user.id}").get_data(as_text=True)  # not shown again

    newcomer = app.test_client()
    form = newcomer.get(f"/reset/{token}")
    assert form.status_code == 200
    data = {
        "csrf_token": csrf_token(form.get_data(as_text=True)),
        "new_password": "a long new passphrase",
        "confirm": "a long new passphrase",
    }
    assert newcomer.post(f"/reset/{token}", data=data).status_code == 303
    assert newcomer.get(f"/reset/{token}").status_code == 404  # works once
    login_page = csrf_token(newcomer.get("/login").get_data(as_text=True))
    signed_in = newcomer.post(
        "/login", data={"csrf_token": login_page, "email": "new.peer@example.org", "password": "a long new passphrase"}
    )
    assert signed_in.status_code == 303


def test_a_new_link_cancels_the_previous_one(app, admin, make_user):
    make_user("peer@example.org", "peer")
    user = _user(app, "peer@example.org")
    first = LINK_PATTERN.search(
        post_form(admin, f"/admin/users/{user.id}", f"/admin/users/{user.id}/reset-link").get_data(as_text=True)
    ).group(1)
    second = LINK_PATTERN.search(
        post_form(admin, f"/admin/users/{user.id}", f"/admin/users/{user.id}/reset-link").get_data(as_text=True)
    ).group(1)
    assert first != second
    other = app.test_client()
    assert other.get(first.removeprefix("http://localhost")).status_code == 404
    assert other.get(second.removeprefix("http://localhost")).status_code == 200


def test_create_form_errors_keep_input_and_create_nothing(app, admin, make_user):
    make_user("taken@example.org", "researcher")
    page = admin.get("/admin/users/new").get_data(as_text=True)
    bad = admin.post(
        "/admin/users/new",
        data={"csrf_token": csrf_token(page), "email": "not-an-email", "name": "Typed Name", "role": "peer"},
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Enter an email address like name@example.org." in html and 'value="Typed Name"' in html
    taken = admin.post(
        "/admin/users/new", data={"csrf_token": csrf_token(page), "email": "Taken@example.org", "role": "peer"}
    )
    assert taken.status_code == 422 and "already exists" in taken.get_data(as_text=True)
    wrong_role = admin.post(
        "/admin/users/new", data={"csrf_token": csrf_token(page), "email": "x@example.org", "role": "superuser"}
    )
    assert wrong_role.status_code == 422
    # 212 characters as typed, 412 once lower-cased ("İ" becomes two): too long for the column (a 500 on PostgreSQL)
    dotted = admin.post(
        "/admin/users/new",
        data={"csrf_token": csrf_token(page), "email": "\u0130" * 200 + "@example.org", "role": "peer"},
    )
    assert dotted.status_code == 422 and "Use at most 254 characters." in dotted.get_data(as_text=True)
    with app.app_context():
        assert sorted(db.session.scalars(select(User.email))) == [ADMIN, "taken@example.org"]


def test_editing_name_and_role_is_saved_and_audited_with_before_and_after(app, admin, make_user):
    make_user("peer@example.org", "peer")
    user = _user(app, "peer@example.org")
    url = f"/admin/users/{user.id}"
    saved = post_form(admin, url, url, {"name": "Pat Peer", "role": "researcher"})
    assert saved.status_code == 303
    assert (_user(app, "peer@example.org").name, _user(app, "peer@example.org").role) == ("Pat Peer", "researcher")
    updates = _audit(app, "user", "update")
    assert updates[-1] == (ADMIN, {"name": ["", "Pat Peer"], "role": ["peer", "researcher"]})


def test_admin_cannot_demote_or_deactivate_themselves(app, admin):
    me = _user(app, ADMIN)
    demoted = post_form(admin, f"/admin/users/{me.id}", f"/admin/users/{me.id}", {"name": "Me", "role": "peer"})
    assert demoted.status_code == 422
    assert "You cannot remove your own admin role" in demoted.get_data(as_text=True)
    deactivated = post_form(admin, f"/admin/users/{me.id}", f"/admin/users/{me.id}/deactivate")
    assert deactivated.status_code == 303
    assert "You cannot deactivate your own account" in admin.get(deactivated.headers["Location"]).get_data(as_text=True)
    me = _user(app, ADMIN)
    assert (me.role, me.active, me.name) == ("admin", True, "")
    assert admin.get("/admin/users").status_code == 200  # still signed in
    changed = {field for _, changes in _audit(app, "user", "update") for field in changes}
    assert changed <= {"last_login_at"}, changed


def test_deactivation_ends_every_session_and_reactivation_lets_them_back(app, admin, make_user, login):
    make_user("peer@example.org", "peer")
    peer = app.test_client()
    login("peer@example.org", target=peer)
    copied = app.test_client()
    copied.set_cookie("session", peer.get_cookie("session").value)
    assert peer.get("/fieldwork/").status_code == 200 and copied.get("/fieldwork/").status_code == 200

    user = _user(app, "peer@example.org")
    assert post_form(admin, f"/admin/users/{user.id}", f"/admin/users/{user.id}/deactivate").status_code == 303
    assert _user(app, "peer@example.org").active is False
    for browser in (peer, copied):
        signed_out = browser.get("/fieldwork/")
        assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    assert login("peer@example.org", target=app.test_client()).status_code == 422
    actor, changes = _audit(app, "user", "update")[-1]
    assert actor == ADMIN and changes == {"active": [True, False], "session_token": "changed"}

    assert post_form(admin, f"/admin/users/{user.id}", f"/admin/users/{user.id}/reactivate").status_code == 303
    assert login("peer@example.org", target=app.test_client()).status_code == 303


def test_deactivation_revokes_api_tokens_so_reactivation_does_not_revive_them(app, admin, make_user):
    make_user("rita@example.org", "researcher")
    with app.app_context():
        from survey.accounts.api_tokens import create_token

        owner = db.session.scalars(select(User).filter_by(email="rita@example.org")).one()
        _row, token = create_token(owner, "nightly script")
        _old, already_revoked = create_token(owner, "old laptop")
        _old.revoked_at = _old.created_at
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/communities", headers=headers).status_code == 200

    user = _user(app, "rita@example.org")
    # The page says so before the button, as it is the one part a reactivation does not undo.
    assert "API tokens stop working for good" in admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert post_form(admin, f"/admin/users/{user.id}", f"/admin/users/{user.id}/deactivate").status_code == 303
    assert post_form(admin, f"/admin/users/{user.id}", f"/admin/users/{user.id}/reactivate").status_code == 303
    assert app.test_client().get("/api/v1/communities", headers=headers).status_code == 401
    with app.app_context():
        from survey.models import ApiToken

        tokens = {row.name: row for row in db.session.scalars(select(ApiToken))}
        assert tokens["nightly script"].revoked_at is not None
        assert tokens["old laptop"].revoked_at == tokens["old laptop"].created_at  # not re-stamped
    revocations = [event for event in _audit(app, "api_token", "update") if event[0] != "system"]
    assert len(revocations) == 1  # the live token only; the one revoked by the setup above is left alone
    actor, changes = revocations[0]
    assert actor == ADMIN and changes["revoked_at"][0] is None and changes["revoked_at"][1]


def test_assignments_decide_which_campaigns_a_peer_sees(app, admin, make_campaign, make_user, login):
    make_campaign("dover-town", asset_slugs=("dover_library",))
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    make_user("peer@example.org", "peer", communities=("dover-town",))
    peer = app.test_client()
    login("peer@example.org", target=peer)
    before = peer.get("/fieldwork/").get_data(as_text=True)
    assert "Dover Town survey" in before and "Sheppey survey" not in before

    user = _user(app, "peer@example.org")
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    sheppey_id = re.search(r'value="(\d+)"[^>]*>\s*<label[^>]*>Sheppey<', page).group(1)
    saved = admin.post(
        f"/admin/users/{user.id}/communities", data={"csrf_token": csrf_token(page), "communities": sheppey_id}
    )
    assert saved.status_code == 303
    after = peer.get("/fieldwork/").get_data(as_text=True)
    assert "Sheppey survey" in after and "Dover Town survey" not in after

    unknown = admin.post(
        f"/admin/users/{user.id}/communities", data={"csrf_token": csrf_token(page), "communities": "99999"}
    )
    assert unknown.status_code == 422
    cleared = admin.post(f"/admin/users/{user.id}/communities", data={"csrf_token": csrf_token(page)})
    assert cleared.status_code == 303
    assert "No open campaigns" in peer.get("/fieldwork/").get_data(as_text=True)


def test_a_double_clicked_save_of_assignments_stores_each_once(app, admin, make_campaign, make_user):
    # The other click's request stores the same community first: this one waits, reads it, and
    # replaces it (it inserted the row again: a 500 from the primary key on PostgreSQL).
    from sqlalchemy import insert

    from survey.accounts.users import ASSIGNMENT_LOCK_BASE
    from survey.models import Community, user_community
    from tests.test_research_support import save_while_another_writes

    make_campaign("dover-town", asset_slugs=("dover_library",))
    make_user("peer@example.org", "peer")
    user = _user(app, "peer@example.org")
    with app.app_context():
        dover = db.session.scalars(select(Community.id).filter_by(slug="dover-town")).one()

    def first_click(other) -> None:
        other.execute(insert(user_community).values(user_id=user.id, community_id=dover))

    url = f"/admin/users/{user.id}/communities"
    answers = save_while_another_writes(
        app,
        admin,
        url,
        {"communities": str(dover)},
        ASSIGNMENT_LOCK_BASE + user.id,
        first_click,
        token_url=f"/admin/users/{user.id}",
    )
    assert answers == [303]
    with app.app_context():
        assert [c.slug for c in db.session.get(User, user.id).communities] == ["dover-town"]  # type: ignore[union-attr]


def test_every_admin_form_needs_its_csrf_token(app, admin, make_user):
    make_user("peer@example.org", "peer")
    user = _user(app, "peer@example.org")
    for url in (
        "/admin/users/new",
        f"/admin/users/{user.id}",
        f"/admin/users/{user.id}/communities",
        f"/admin/users/{user.id}/deactivate",
        f"/admin/users/{user.id}/reactivate",
        f"/admin/users/{user.id}/reset-link",
        "/admin/licences",
    ):
        assert admin.post(url, data={"name": "x", "role": "admin"}).status_code == 400, url
    assert _user(app, "peer@example.org").active is True
    with app.app_context():
        assert db.session.scalars(select(PasswordReset)).all() == []


def test_researchers_and_peers_get_no_admin_screens(app, client, make_user, login):
    make_user("r@example.org", "researcher")
    login("r@example.org")
    for url in ("/admin/", "/admin/users", "/admin/licences", "/admin/audit", "/admin/audit.csv", "/admin/contacts"):
        assert client.get(url).status_code == 403, url


def test_a_role_without_the_api_revokes_the_users_tokens_for_good(app, admin, make_user):
    # Demoted to peer, a researcher's tokens only answered 403; promoted again, every token copied
    # meanwhile worked again. Deactivating already revoked them for good: a role change now does too.
    make_user("rita@example.org", "researcher")
    with app.app_context():
        rita = db.session.scalars(select(User).filter_by(email="rita@example.org")).one()
        _row, token = create_token(rita, "laptop")
        db.session.commit()
        url = f"/admin/users/{rita.id}"
    bearer = {"Authorization": f"Bearer {token}"}
    assert admin.get("/api/v1/communities", headers=bearer).status_code == 200
    assert post_form(admin, url, url, {"name": "Rita", "role": "researcher"}).status_code == 303
    assert admin.get("/api/v1/communities", headers=bearer).status_code == 200  # a rename changes nothing
    assert post_form(admin, url, url, {"name": "Rita", "role": "peer"}).status_code == 303
    assert post_form(admin, url, url, {"name": "Rita", "role": "researcher"}).status_code == 303
    refused = admin.get("/api/v1/communities", headers=bearer)
    assert refused.status_code == 401 and "revoked" in refused.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.scalars(select(ApiToken.revoked_at)).one() is not None

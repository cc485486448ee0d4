"""Staff sign-in: hashing, messages, throttling, session invalidation, idle timeout, reset links."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey import create_app
from survey.accounts.operations import issue_password_reset, set_active
from survey.extensions import db
from survey.models import User
from tests.conftest import STAFF_PASSWORD
from tests.helpers import csrf_token

FAILED = "Email address or password not recognised"


def test_password_is_hashed_with_scrypt(app, make_user):
    make_user("r@example.org", "researcher")
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert user.password_hash.startswith("scrypt:") and STAFF_PASSWORD not in user.password_hash


def test_sign_in_and_out(client, make_user, login):
    make_user("r@example.org", "researcher")
    assert client.get("/fieldwork/").status_code == 302  # to the login page
    signed_in = login("R@Example.org ")
    assert signed_in.status_code == 303
    assert client.get("/fieldwork/").status_code == 200
    token = csrf_token(client.get("/fieldwork/").get_data(as_text=True))
    assert client.get("/logout").status_code == 405  # sign-out is a POST
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/fieldwork/").status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_message(client, make_user, login):
    make_user("r@example.org", "researcher")
    wrong = login("r@example.org", "not the password at all")
    unknown = login("nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 422
    assert FAILED in wrong.get_data(as_text=True) and FAILED in unknown.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    # A browser reads \\ as / and drops tabs and newlines: the last four were open redirects to it.
    ["//evil.example/x", "https://evil.example/x", "/%5Cevil.example", "/%5C%5Cevil.example", "/%09/evil.example"]
    + ["/%0A/evil.example"],
)
def test_open_redirects_are_refused(app, client, make_user, target):
    make_user("r@example.org", "researcher")
    token = csrf_token(client.get("/login").get_data(as_text=True))
    data = {"csrf_token": token, "email": "r@example.org", "password": STAFF_PASSWORD}
    response = client.post(f"/login?next={target}", data=data)
    # Issue 16: researchers (and admins) now land on /research/ (peers stay on /fieldwork/).
    assert response.headers["Location"] == "/research/"
    # Signed in already, the login page sends them on the same way.
    assert client.get(f"/login?next={target}").headers["Location"] == "/research/"
    # A path of our own is still followed.
    assert client.get("/login?next=/research/exports%3Fx%3D1").headers["Location"] == "/research/exports?x=1"


def test_staff_land_on_their_own_home_after_signing_in(app, make_user, login):
    for email, role, landing in (
        ("p@example.org", "peer", "/fieldwork/"),
        ("r@example.org", "researcher", "/research/"),
        ("a@example.org", "admin", "/research/"),
    ):
        make_user(email, role)
        browser = app.test_client()
        assert login(email, target=browser).headers["Location"] == landing, role
        assert browser.get("/login").headers["Location"].endswith(landing), role


def _cookie_replay(app, client):
    """A copy of the signed-in browser, as an attacker holding the cookie would have."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_sign_out_invalidates_a_copied_session_cookie(app, client, make_user, login):
    make_user("r@example.org", "researcher")
    login("r@example.org")
    stolen = _cookie_replay(app, client)
    assert stolen.get("/fieldwork/").status_code == 200
    token = csrf_token(client.get("/fieldwork/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    assert stolen.get("/fieldwork/").status_code == 302


def test_deactivation_and_password_change_end_other_sessions(app, client, make_user, login):
    make_user("r@example.org", "researcher")
    login("r@example.org")
    tablet = _cookie_replay(app, client)
    page = client.get("/account/password").get_data(as_text=True)
    changed = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page),
            "current_password": STAFF_PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert changed.status_code == 303
    assert client.get("/fieldwork/").status_code == 200  # this device stays signed in
    assert tablet.get("/fieldwork/").status_code == 302  # the other one is signed out

    with app.app_context():
        set_active(db.session.scalars(select(User)).one(), False)
        db.session.commit()
    assert client.get("/fieldwork/").status_code == 302
    assert FAILED in login("r@example.org", "a brand new passphrase").get_data(as_text=True)


def test_short_new_password_is_refused(client, make_user, login):
    make_user("r@example.org", "researcher")
    login("r@example.org")
    page = client.get("/account/password").get_data(as_text=True)
    refused = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page),
            "current_password": STAFF_PASSWORD,
            "new_password": "short",
            "confirm": "short",
        },
    )
    assert refused.status_code == 422 and "at least 12 characters" in refused.get_data(as_text=True)


def _signed_in_peer(database_url):
    """An app whose sessions end after 30 idle minutes, and a client signed in to it as a peer."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k", "SESSION_IDLE_MINUTES": 30})
    with app.app_context():
        from survey.accounts.operations import create_user

        create_user("p@example.org", "peer", STAFF_PASSWORD)
        db.session.commit()
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"csrf_token": token, "email": "p@example.org", "password": STAFF_PASSWORD})
    return app, client


def test_idle_session_times_out(database_url, make_user):
    app, client = _signed_in_peer(database_url)
    assert client.get("/fieldwork/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= 31 * 60
    expired = client.get("/fieldwork/")
    assert expired.status_code == 302 and "/login" in expired.headers["Location"]
    assert "signed out after a period of inactivity" in client.get("/login").get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_a_form_sent_after_the_idle_time_says_it_was_not_saved_and_where_the_words_are(database_url, make_user):
    app, client = _signed_in_peer(database_url)
    token = csrf_token(client.get("/paper/returns").get_data(as_text=True))
    with client.session_transaction() as session:
        session["last_seen"] -= 31 * 60  # a long form typed without a request
    sent = client.post("/paper/returns", data={"csrf_token": token, "serial": "DOV-00001-6", "status": "returned"})
    assert sent.status_code == 302 and "/login" in sent.headers["Location"]
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "so what you sent was not saved" in page and "Back button" in page
    with app.app_context():
        db.engine.dispose()


def test_login_is_throttled_per_account(database_url):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k", "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute"})
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    statuses = [
        client.post(
            "/login", data={"csrf_token": token, "email": "x@example.org", "password": "wrong password!"}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]
    # Another account from the same address is not blocked by the per-account limit.
    other = client.post("/login", data={"csrf_token": token, "email": "y@example.org", "password": "wrong password!"})
    assert other.status_code == 422
    with app.app_context():
        db.engine.dispose()


def test_successful_sign_ins_do_not_count_towards_the_account_lockout(database_url):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k", "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute"})
    with app.app_context():
        from survey.accounts.operations import create_user

        create_user("r@example.org", "researcher", STAFF_PASSWORD)
        db.session.commit()
    good = {"email": "r@example.org", "password": STAFF_PASSWORD}
    bad = {"email": "r@example.org", "password": "wrong password!"}
    for _ in range(5):  # scripted sign-ins, each from a fresh session
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        assert client.post("/login", data={"csrf_token": token, **good}).status_code == 303
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    statuses = [client.post("/login", data={"csrf_token": token, **bad}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    # Once locked, the right password is refused too until the window passes.
    assert client.post("/login", data={"csrf_token": token, **good}).status_code == 429
    with app.app_context():
        db.engine.dispose()


def test_one_time_reset_link(app, client, make_user, login):
    make_user("p@example.org", "peer")
    with app.app_context():
        token, _expires = issue_password_reset(db.session.scalars(select(User)).one(), None, 48)
        db.session.commit()
    page = client.get(f"/reset/{token}")
    assert page.status_code == 200 and "p@example.org" in page.get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "new_password": "fresh long passphrase",
        "confirm": "fresh long passphrase",
    }
    assert client.post(f"/reset/{token}", data=data).status_code == 303
    assert client.get(f"/reset/{token}").status_code == 404  # used once
    assert login("p@example.org", "fresh long passphrase").status_code == 303


@pytest.mark.parametrize("stdin_password", ["a long enough password\n"])
def test_create_user_cli_reads_password_from_stdin(app, runner, make_campaign, stdin_password):
    make_campaign("sheppey", asset_slugs=())
    result = runner.invoke(
        args=["create-user", "peer@example.org", "--role", "peer", "--community", "sheppey"], input=stdin_password
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert user.role == "peer" and [c.slug for c in user.communities] == ["sheppey"]
    short = runner.invoke(args=["create-user", "x@example.org", "--role", "peer"], input="short\n")
    assert short.exit_code != 0 and "at least 12" in short.output
    unknown = runner.invoke(
        args=["create-user", "y@example.org", "--role", "peer", "--community", "nowhere"], input=stdin_password
    )
    assert unknown.exit_code != 0 and "No community" in unknown.output


def test_a_reset_link_sent_twice_at_once_sets_one_password(app, client, make_user, login):
    """On PostgreSQL both requests found the link unused and both set a password with it."""
    from sqlalchemy import text

    from tests.test_research_support import save_while_another_writes

    make_user("p@example.org", "peer")
    with app.app_context():
        token, _expires = issue_password_reset(db.session.scalars(select(User)).one(), None, 48)
        db.session.commit()

    def lock(other) -> None:  # the first request, spending the link (SQLite: it holds the write lock already)
        if other.get_bind().dialect.name == "postgresql":
            other.execute(text("SELECT id FROM password_reset FOR UPDATE"))

    def spend(other) -> None:
        other.execute(text("UPDATE password_reset SET used_at = CURRENT_TIMESTAMP"))

    second = {"new_password": "second long passphrase", "confirm": "second long passphrase"}
    answers = save_while_another_writes(app, client, f"/reset/{token}", second, lock, spend)
    assert answers == [404]
    assert login("p@example.org", "second long passphrase").status_code == 422

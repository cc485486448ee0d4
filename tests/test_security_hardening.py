"""Production hardening: headers, cookies, CSRF on every form, size and rate limits, proxies, logs, secrets.

The CSRF and size-limit tests walk `app.url_map`, so a route added later is covered without
anyone remembering to list it here.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from survey import create_app
from survey.accounts.operations import issue_password_reset
from survey.extensions import db
from survey.logging_setup import redact
from survey.models import User
from tests.conftest import STAFF_PASSWORD
from tests.helpers import Resident, csrf_token, require_redis, valid_answers

REPO = Path(__file__).resolve().parent.parent
URL_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
EXPECTED_CSP_PARTS = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")


def _app(database_url: str, **settings: Any) -> Flask:
    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key", "TESTING": True, **settings})


@pytest.fixture
def make_app(database_url: str) -> Iterator:
    """Apps with settings of the test's choosing on the test's database, disposed afterwards."""
    made: list[Flask] = []

    def _make(**settings: Any) -> Flask:
        made.append(_app(database_url, **settings))
        return made[-1]

    yield _make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def assert_security_headers(response, what: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "unsafe-inline" not in csp and all(part in csp for part in EXPECTED_CSP_PARTS), (what, csp)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy") == "same-origin", what


def _post_routes(app: Flask) -> list[Rule]:
    """Every state-changing route of the app except the token-authenticated JSON API."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.methods and "POST" in rule.methods and not rule.rule.startswith("/api/")
    ]


def _example_url(app: Flask, rule: Rule) -> str:
    # CSRF and size checks run before the view, so the arguments need not name real rows.
    values = {name: 1 if converter == "int" else "x" for converter, name in URL_ARGUMENT.findall(rule.rule)}
    return app.url_map.bind("localhost").build(rule.endpoint, values, method="POST")


# --- security headers -------------------------------------------------------------------------


def test_headers_on_every_kind_of_response(make_app, make_campaign):
    slug = make_campaign()
    app = make_app(PUBLIC_SUBMIT_LIMIT="1 per minute")
    client = app.test_client()
    responses = {
        "page": client.get(f"/s/{slug}"),
        "404": client.get("/no/such/page"),
        "static": client.get("/static/survey.css"),
        "healthz": client.get("/healthz"),
        "csrf 400": client.post("/login", data={"email": "a@example.org"}),
        "413": client.post(
            "/login",
            data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
            content_type="application/x-www-form-urlencoded",
        ),
        "405": client.delete("/login"),
    }
    resident = Resident(client, slug)
    resident.start()
    responses["429"] = resident.post_page(1, {})
    assert responses["429"].status_code == 429
    for what, response in responses.items():
        response.close()
        assert_security_headers(response, what)
        assert "Strict-Transport-Security" not in response.headers, what  # plain HTTP


def test_hsts_only_over_https(make_app):
    direct = make_app().test_client()
    assert "Strict-Transport-Security" not in direct.get("/healthz").headers
    assert (
        direct.get("/healthz", base_url="https://survey.example.org")
        .headers["Strict-Transport-Security"]
        .startswith("max-age=31536000")
    )
    # Anyone can send X-Forwarded-Proto: it counts only from a trusted proxy.
    assert "Strict-Transport-Security" not in direct.get("/healthz", headers={"X-Forwarded-Proto": "https"}).headers
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    assert "Strict-Transport-Security" in proxied.get("/healthz", headers={"X-Forwarded-Proto": "https"}).headers
    assert "Strict-Transport-Security" not in proxied.get("/healthz", headers={"X-Forwarded-Proto": "http"}).headers


# --- cookies --------------------------------------------------------------------------------


def _session_cookie_header(app: Flask, **request: Any) -> str:
    client = app.test_client()
    response = client.get("/login", **request)  # the form's CSRF secret starts a session
    return next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))


def test_session_cookie_flags(make_app, monkeypatch):
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    local = _session_cookie_header(make_app())
    assert "HttpOnly" in local and "SameSite=Lax" in local and "Secure" not in local
    # Behind a proxy or with https as the scheme, the site is HTTPS: cookies are Secure.
    assert "; Secure" in _session_cookie_header(make_app(TRUSTED_PROXIES=1), headers={"X-Forwarded-Proto": "https"})
    assert make_app(PREFERRED_URL_SCHEME="https").config["SESSION_COOKIE_SECURE"] is True
    # The environment has the last word (e.g. a proxy speaking plain HTTP on a private network).
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")
    assert make_app(TRUSTED_PROXIES=1).config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    secure = make_app()
    assert secure.config["SESSION_COOKIE_SECURE"] is True and secure.config["REMEMBER_COOKIE_SECURE"] is True


# --- CSRF -------------------------------------------------------------------------------------


def test_every_post_route_refuses_a_session_without_a_csrf_token(app, admin):
    routes = _post_routes(app)
    assert len(routes) > 20  # the walk found the app's forms, not an empty map
    refused = {}
    for rule in routes:
        response = admin.post(_example_url(app, rule), data={"confirm": "y"})
        refused[rule.rule] = (response.status_code, "This form has expired" in response.get_data(as_text=True))
    assert {rule: outcome for rule, outcome in refused.items() if outcome != (400, True)} == {}
    assert admin.get("/fieldwork/").status_code == 200  # still signed in: the refusals changed nothing


# --- request size -----------------------------------------------------------------------------


def test_every_post_route_answers_a_too_large_body_with_a_friendly_413(make_app, make_user, login):
    # Below the per-route import limit too, so no route may let the body through.
    app = make_app(IMPORT_MAX_BYTES=300 * 1024, DEEP_DIVE_UPLOAD_LIMIT=200 * 1024)
    make_user("a@example.org", "admin")
    client = app.test_client()
    login("a@example.org", target=client)
    body = b"x" * (300 * 1024 + 1)
    outcomes = {}
    for rule in _post_routes(app):
        response = client.post(_example_url(app, rule), data=body, content_type="application/x-www-form-urlencoded")
        # Our page, or a form's own that names its limit (the import form).
        friendly = re.search(r"far too large|larger than", response.get_data(as_text=True)) is not None
        outcomes[rule.rule] = (response.status_code, friendly)
    assert {rule: outcome for rule, outcome in outcomes.items() if outcome != (413, True)} == {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_answers_a_large_upload_with_413_not_a_reset_connection(sqlite_template, tmp_path):
    """Gunicorn closes the socket after answering; unread upload bytes would make that a reset."""
    import http.client

    database = tmp_path / "served.db"
    shutil.copyfile(sqlite_template, database)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "gunicorn-test",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    server = subprocess.Popen(gunicorn, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            # Closed on every path: a probe that connects while gunicorn is still starting can fail
            # after the socket opened, and an unclosed socket is a ResourceWarning (an error here).
            with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=10)) as probe:
                try:
                    probe.request("GET", "/healthz")
                    assert probe.getresponse().status == 200
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=30)) as connection:
            connection.request(
                "POST",
                "/login",
                body=b"x" * (5 * 1024 * 1024),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            answer = connection.getresponse()
            assert answer.status == 413 and b"far too large" in answer.read()
    finally:
        server.terminate()
        _out, errors = server.communicate(timeout=30)
    assert b"/login 413" in errors  # the app's own request log line, through gunicorn's stderr


# --- rate limits ------------------------------------------------------------------------------


def _failed_logins(client, count: int, headers: dict[str, str] | None = None) -> list[int]:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return [
        client.post(
            "/login",
            data={"csrf_token": token, "email": f"n{i}@example.org", "password": "wrong password!"},
            headers=headers or {},
        ).status_code
        for i in range(count)
    ]


def test_login_is_limited_per_address_and_the_switch_turns_limits_off(make_app):
    limited = make_app(LOGIN_LIMIT_PER_ADDRESS="3 per minute")
    over = _failed_logins(limited.test_client(), 4)
    assert over == [422, 422, 422, 429]
    off = make_app(LOGIN_LIMIT_PER_ADDRESS="3 per minute", RATELIMIT_ENABLED=False)
    assert _failed_logins(off.test_client(), 6) == [422] * 6


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test worker's own in the test Redis, emptied before and after (fails in
    CI when Redis is missing, skips with the reason on a laptop)."""
    client = require_redis(REDIS_URL, "the shared rate limits")
    prefix = f"survey-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"

    def empty() -> int:
        keys = list(client.scan_iter(f"*{prefix}*"))
        return client.delete(*keys) if keys else 0

    empty()
    yield prefix
    empty()
    client.close()


def test_limits_are_shared_through_redis_by_every_worker(make_app, redis_prefix):
    """In production several gunicorn workers (and servers) count together in Redis: a worker that
    starts later still sees the attempts the others counted (an in-memory store would start at 0)."""
    import redis

    settings = {
        "LOGIN_LIMIT_PER_ADDRESS": "3 per minute",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_prefix,
    }
    first = make_app(**settings)
    assert _failed_logins(first.test_client(), 3) == [422, 422, 422]
    counters = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{redis_prefix}*"))
    assert counters, "the counters live in Redis"
    later = make_app(**settings)  # a fresh storage connection, as another worker process would have
    assert _failed_logins(later.test_client(), 1) == [429]


def test_residents_posts_share_a_limit_per_address_with_a_friendly_page(make_app, make_campaign):
    slug = make_campaign()
    app = make_app(PUBLIC_SUBMIT_LIMIT="3 per minute")
    resident = Resident(app.test_client(), slug)
    assert resident.start().status_code == 303  # POST 1
    assert resident.post_page(1, valid_answers(resident.item_names(1))).status_code == 303  # POST 2
    assert resident.post_page(2, valid_answers(resident.item_names(2))).status_code == 303  # POST 3
    refused = resident.post_page(3, valid_answers(resident.item_names(3)))
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "wait a minute" in page and "press the" in page and "button again" in page
    assert int(refused.headers["Retry-After"]) <= 60
    # Reading pages is never limited: the resident can go back to the form.
    assert resident.client.get(f"/s/{slug}/page/3").status_code == 200

    unlimited = make_app(PUBLIC_SUBMIT_LIMIT="3 per minute", RATELIMIT_ENABLED=False)
    resident = Resident(unlimited.test_client(), slug)
    assert resident.start().status_code == 303
    assert [resident.post_page(n, valid_answers(resident.item_names(n))).status_code for n in (1, 2, 3, 4)] == [303] * 4


def test_the_limiter_keys_on_x_forwarded_for_only_behind_a_trusted_proxy(make_app):
    settings = {"LOGIN_LIMIT_PER_ADDRESS": "2 per minute"}
    first, second = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "198.51.100.9"}

    trusted = make_app(TRUSTED_PROXIES=1, **settings).test_client()
    assert _failed_logins(trusted, 3, first) == [422, 422, 429]
    assert _failed_logins(trusted, 1, second) == [422]  # another resident behind the same proxy

    # Without a trusted proxy the header is the client's word: a new value must not buy new attempts.
    direct = make_app(**settings).test_client()
    assert _failed_logins(direct, 2, first) == [422, 422]
    assert _failed_logins(direct, 1, second) == [429]


# --- logs -------------------------------------------------------------------------------------


def test_logs_never_hold_a_password_reset_token_or_resume_code(app, client, make_user, make_campaign, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    slug = make_campaign()
    make_user("p@example.org", "peer")
    with app.app_context():
        reset_token, _expires = issue_password_reset(db.session.scalars(select(User)).one(), None, 48)
        db.session.commit()
    new_password = "a brand new passphrase"

    signed_in = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(client.get("/login").get_data(as_text=True)),
            "email": "p@example.org",
            "password": STAFF_PASSWORD,
        },
    )
    assert signed_in.status_code == 303
    other = app.test_client()
    page = other.get(f"/reset/{reset_token}?token={reset_token}")
    assert page.status_code == 200
    used = other.post(
        f"/reset/{reset_token}",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "new_password": new_password,
            "confirm": new_password,
        },
        headers={"Authorization": "Bearer sekrit-api-token-value"},
    )
    assert used.status_code == 303

    resident = Resident(app.test_client(), slug)
    resident.start()
    saving = resident.post_page(1, valid_answers(resident.item_names(1)), action="save")
    assert saving.headers["Location"] == f"/s/{slug}/saved"
    saved = resident.client.get(f"/s/{slug}/saved").get_data(as_text=True)
    code = re.search(r'class="resume-code"[^>]*>([^<]+)<', saved).group(1)  # type: ignore[union-attr]
    device = app.test_client()
    form = csrf_token(device.get(f"/s/{slug}/resume").get_data(as_text=True))
    assert device.post(f"/s/{slug}/resume", data={"csrf_token": form, "code": code}).status_code == 303
    device.get(f"/s/{slug}/resume?code={code}")

    logged = [record for record in caplog.records if record.name == "survey.request"]
    assert {record.path for record in logged} >= {"/login", "/reset/[redacted]", f"/s/{slug}/resume"}
    everything = "\n".join(
        f"{record.getMessage()} {json.dumps(record.__dict__, default=str)}" for record in caplog.records
    )
    everything += capsys.readouterr().err
    for secret in (STAFF_PASSWORD, new_password, reset_token, code, code.replace("-", ""), "sekrit-api-token-value"):
        assert secret not in everything, secret


def test_other_loggers_lines_are_scrubbed_too(make_app, capsys):
    make_app()
    # The development server's access line, as Werkzeug logs it.
    logging.getLogger("werkzeug").warning('"%s" %s', "GET /reset/Sup3rSecretTok3n?code=ABCD-EFGH HTTP/1.1", 200)
    err = capsys.readouterr().err
    assert "Sup3rSecretTok3n" not in err and "ABCD-EFGH" not in err
    assert '"GET /reset/[redacted]?code=[redacted] HTTP/1.1" 200' in err
    assert redact("/s/dover?page=2&password=x&access_token=y") == (
        "/s/dover?page=2&password=[redacted]&access_token=[redacted]"
    )


def test_json_logs_one_object_per_line_with_the_request_fields(make_app, capsys):
    client = make_app(LOG_FORMAT="json").test_client()
    capsys.readouterr()
    client.get("/accessibility?sort=a", headers={"User-Agent": "test"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    request_line = next(line for line in lines if line["logger"] == "survey.request")
    assert request_line["level"] == "INFO" and request_line["method"] == "GET"
    assert request_line["path"] == "/accessibility?sort=a" and request_line["status"] == 200
    assert isinstance(request_line["duration_ms"], float) and request_line["duration_ms"] >= 0
    assert request_line["remote_addr"] == "127.0.0.1"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", request_line["time"])
    assert request_line["message"].startswith("GET /accessibility?sort=a 200 ")


def test_text_logs_are_readable_lines(make_app, capsys):
    client = make_app(LOG_FORMAT="text").test_client()
    capsys.readouterr()
    client.get("/accessibility")
    err = capsys.readouterr().err
    assert re.search(r"^\S+ \S+ INFO survey\.request: GET /accessibility 200 [\d.]+ms 127\.0\.0\.1$", err, re.M), err
    with pytest.raises(RuntimeError, match="LOG_FORMAT must be"):
        make_app(LOG_FORMAT="xml")


# --- secrets in the repository ----------------------------------------------------------------

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "hard-coded SECRET_KEY": re.compile(r"""^\s*SECRET_KEY\s*=\s*["'][^"']{16,}["']""", re.M),
}
SECRET_FILE_NAMES = re.compile(r"(^|/)(secret_key|\.env|[^/]*\.(pem|key|p12|pfx)|id_rsa[^/]*|[^/]*\.db)$")


# Not part of the repository (see .gitignore): what a checkout without git would also leave out.
UNTRACKED_DIRECTORIES = {".git", ".venv", "instance", "artefacts", "__pycache__", ".pytest_cache", ".hypothesis"}


def _repository_files() -> list[str]:
    """What is (or would be) committed: `git ls-files`, or the tree minus ignored folders without git."""
    if shutil.which("git") is not None and (REPO / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True).stdout
        return [name for name in listed.decode().split("\0") if name]
    return [
        path.relative_to(REPO).as_posix()
        for path in REPO.rglob("*")
        if path.is_file() and not UNTRACKED_DIRECTORIES & set(path.relative_to(REPO).parts)
    ]


def test_the_repository_holds_no_secrets():
    files = _repository_files()
    assert "README.md" in files
    assert [name for name in files if SECRET_FILE_NAMES.search(name)] == []
    found = []
    for name in files:
        path = REPO / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        found += [(name, kind) for kind, pattern in SECRET_PATTERNS.items() if pattern.search(text)]
    assert found == []
    ignored = (REPO / ".gitignore").read_text().split()
    assert "instance/" in ignored  # where the generated secret key and the SQLite database live


def test_an_id_too_big_for_the_database_is_a_404_not_a_500(app, admin):
    """Every `<int:>` route, signed in as an admin so the view runs: a number past 64 bits would
    overflow the database driver; it is a 404 instead."""
    client = admin
    huge = "9" * 25
    routes = [rule for rule in app.url_map.iter_rules() if "int:" in rule.rule and "GET" in rule.methods]
    assert routes, "the app has integer routes"
    for rule in routes:
        url = re.sub(r"<int:\w+>", huge, rule.rule)
        url = re.sub(r"<(?:\w+:)?\w+>", "x", url)
        assert client.get(url).status_code == 404, url

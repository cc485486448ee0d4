"""Every route called as anonymous, peer (own and other community), researcher and admin.

The allowed set of each route is written down in tests/access/*.py; a route of the
app missing from those rules fails the test, so a new page cannot skip the review.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask.testing import FlaskClient

import tests.access
from survey.extensions import db
from tests.access import ROLES, Rule
from tests.access.world import PASSWORD, World
from tests.helpers import csrf_token

DENIED = {401, 403, 404}


def _rule_modules() -> list:
    names = [m.name for m in pkgutil.iter_modules(tests.access.__path__) if m.name != "world"]
    return [importlib.import_module(f"tests.access.{name}") for name in sorted(names)]


def _sign_in(app, role: str) -> tuple[FlaskClient, str]:
    """A client signed in as `role`, and a CSRF token valid for its session."""
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    if role != "anonymous":
        signed_in = client.post(
            "/login", data={"csrf_token": token, "email": f"{role}@example.org", "password": PASSWORD}
        )
        assert signed_in.status_code == 303, (role, signed_in.status_code)
        # Signing in starts a new session, with a new CSRF secret.
        token = csrf_token(client.get("/fieldwork/").get_data(as_text=True))
    return client, token


def _outcome(client: FlaskClient, token: str, rule: Rule, url: str, bearer: str | None = None) -> str:
    if rule.auth == "bearer":
        # No session: a fresh client, with the role's API token if it has one.
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        response = client.application.test_client().open(url, method=rule.method, headers=headers)
    elif rule.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": token})
    response.close()
    location = response.headers.get("Location", "")
    if response.status_code in DENIED or (300 <= response.status_code < 400 and location.startswith("/login?next=")):
        return f"denied ({response.status_code})"
    if response.status_code >= 500:
        return f"error ({response.status_code})"
    return "allowed"


@pytest.mark.slow
def test_every_route_answers_only_the_roles_allowed(app):
    modules = _rule_modules()
    with app.app_context():
        world = World()
        for module in modules:
            if hasattr(module, "build"):
                module.build(world)
        db.session.commit()
        ids = dict(world.ids)
    rules: list[Rule] = [rule for module in modules for rule in module.RULES]

    adapter = app.url_map.bind("localhost")
    for rule in rules:
        endpoint, _args = adapter.match(rule.url.format(**ids), method=rule.method)
        assert endpoint == rule.endpoint, (rule, endpoint)
    covered = {(rule.endpoint, rule.method) for rule in rules}
    routes = {
        (url_rule.endpoint, method)
        for url_rule in app.url_map.iter_rules()
        if url_rule.endpoint != "static"
        for method in url_rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - covered == set(), "routes missing from the role matrix (tests/access/*.py)"

    # Signing out rotates the user's session token, ending every copy of the session: run it last.
    ordered = sorted(rules, key=lambda rule: rule.endpoint == "auth.logout")
    clients = {role: _sign_in(app, role) for role in ROLES}
    problems = []
    for rule in ordered:
        url = rule.url.format(**ids)
        for role in ROLES:
            client, token = _sign_in(app, role) if rule.endpoint == "auth.logout" else clients[role]
            expected = "allowed" if role in rule.allowed else "denied"
            outcome = _outcome(client, token, rule, url, ids.get(f"api_token_{role}"))
            if not outcome.startswith(expected):
                problems.append(f"{rule.method} {url} as {role}: expected {expected}, got {outcome}")
    assert problems == []

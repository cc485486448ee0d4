"""Property-based fuzzing of every public endpoint: never a 5xx, never a torn write.

The public routes are read from the role matrix (tests/access/*.py, rules anonymous may call),
so a new public page is fuzzed without editing this file. Most examples carry a valid CSRF
token so they reach the views; the residents' survey is driven by a hypothesis state machine
whose every step is checked against an oracle (tests/fuzz_support.py) and database invariants.

Profiles: `ci` (thorough: 100 derandomised examples; chosen when CI is set) and `dev` (quick: 25 random ones).
`FUZZ_PROFILE=dev` or `=ci` picks one explicitly. They are applied per test, never loaded
globally, so other test folders keep their own hypothesis settings.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, unquote, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.test import TestResponse

import tests.access
from survey.accounts.operations import issue_password_reset
from survey.campaigns.operations import campaign_sections
from survey.extensions import db
from survey.models import Campaign, ContactDetail, Response, User, WorkshopParticipant, WorkshopRating
from survey.responses.operations import RESUME_CODE_LENGTH, normalise_resume_code
from survey.responses.pages import survey_pages
from survey.workshops.codes import display_code
from survey.workshops.operations import open_workshop
from tests.access import Rule
from tests.conftest import STAFF_PASSWORD
from tests.fuzz_support import (
    Pairs,
    complete_section_pairs,
    expected_page,
    first_value,
    has_nul,
    junk_key,
    junk_text,
    mostly,
    path_segment,
    query_pairs,
    response_states,
    section_pairs,
    torn_state_problems,
)
from tests.helpers import csrf_token
from tests.workshop_support import join as join_workshop_as

_SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
# Thorough in CI (fixed seed, so a failure reproduces), quick on a laptop (random, so new cases turn up).
settings.register_profile(
    "ci",
    max_examples=100,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_SUPPRESS,
)
settings.register_profile(
    "dev", max_examples=25, stateful_step_count=15, deadline=None, suppress_health_check=_SUPPRESS
)
FUZZ = settings.get_profile(os.environ.get("FUZZ_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

SLUG = "dover-town"
STAFF_EMAIL = "fuzz.researcher@example.org"
CSRF = mostly(st.just("valid"), st.sampled_from(["junk", "missing"]), percent=90)
SAVED_CODE = re.compile(r'class="resume-code"[^>]*>([A-Z0-9-]+)<')


class ErrorLog(logging.Handler):
    """Keeps the tracebacks the app's 500 handler logs, so a failing example shows its cause."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(logging.Formatter().format(record))


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logger = logging.getLogger("survey")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@dataclass
class World:
    """One open campaign, one staff account and what the fuzzers need to reach the views."""

    app: Flask
    errors: ErrorLog
    campaign_id: int
    sections: list = field(default_factory=list)
    workshop_code: str = ""

    def ids(self, url: str) -> dict[str, str]:
        """The values for a public rule's placeholders."""
        return {
            "campaign_own": SLUG,
            "workshop_code_own": self.workshop_code,
            "asset_own": "dover_library",
            "reset_token": _reset_token(self) if "reset_token" in url else "",
        }

    def check(self, response: TestResponse, what: str) -> str:
        """Never a 5xx; a 4xx says what went wrong (error summary or error page). Returns the body."""
        body = response.get_data(as_text=True)
        cause = "\n".join(self.errors.records[-1:])
        assert response.status_code < 500, f"{what} -> {response.status_code}\n{cause}"
        if response.status_code == 422:
            assert "There is a problem" in body, f"{what}: 422 without an error summary"
        elif 400 <= response.status_code < 500 and response.mimetype == "text/html":
            assert re.search(r"<h1[^>]*>[^<]+</h1>\s*<p[^>]*>[^<]+</p>", body), (
                f"{what}: {response.status_code} with no message"
            )
        return body


@pytest.fixture
def world(app: Flask, make_campaign, make_user, error_log: ErrorLog) -> World:
    make_campaign(SLUG, show_score=True)
    make_user(STAFF_EMAIL, "researcher")
    # The fuzzers post far more than a person would: lift the throttles so examples reach the views.
    app.config.update(LOGIN_LIMIT_PER_ACCOUNT="100000 per minute", LOGIN_LIMIT_PER_ADDRESS="100000 per minute")
    app.config.update(PUBLIC_SUBMIT_LIMIT="100000 per minute", WORKSHOP_CODE_LIMIT="100000 per minute")
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug=SLUG)).one()
        # The pages' own forms: the asset page asks "Do you go to ...?" before "How often".
        pages = [page.form for page in survey_pages(campaign_sections(campaign), {})]
        workshop = open_workshop(campaign.community, "Fuzz workshop", date(2026, 3, 14))
        db.session.commit()
        return World(app, error_log, campaign.id, pages, display_code(workshop.code))


def _token(client: FlaskClient) -> str:
    return csrf_token(client.get("/login").get_data(as_text=True))


def _with_csrf(pairs: Pairs, choice: str, token: str) -> MultiDict:
    if choice == "valid":
        return MultiDict([("csrf_token", token), *pairs])
    if choice == "junk":
        return MultiDict([("csrf_token", token[::-1]), *pairs])
    return MultiDict(pairs)


def _public_rules() -> list[Rule]:
    """Rules of the role matrix that anonymous visitors may call."""
    names = [m.name for m in pkgutil.iter_modules(tests.access.__path__) if m.name != "world"]
    modules = [importlib.import_module(f"tests.access.{name}") for name in sorted(names)]
    return [rule for module in modules for rule in module.RULES if "anonymous" in rule.allowed]


PUBLIC_RULES = _public_rules()
PUBLIC_GETS = sorted({rule.url for rule in PUBLIC_RULES if rule.method == "GET"})
PUBLIC_POSTS = sorted({rule.url for rule in PUBLIC_RULES if rule.method == "POST"})
# Every field name a public form has, so junk often arrives under a real name.
FIELD_NAMES = ["consent", "start_token", "action", "code", "name", "email", "phone", "purposes", "password"]
FIELD_NAMES += ["new_password", "confirm", "wemwbs_1", "sixways_give_1", "asset_dover_library", "years_in_area"]
FIELD_NAMES += ["join_token", "participant_group", "social_impact", "economic_impact", "comment"]


def _fill(url: str, ids: dict[str, str], segment: str | None) -> str:
    """A rule URL with its ids, or with one placeholder replaced by an arbitrary path segment."""
    names = re.findall(r"{(\w+)}", url)
    if segment is not None and names:
        url = url.replace("{" + names[0] + "}", quote(segment, safe=""), 1)
    return url.format(**ids)


def _reset_token(world: World) -> str:
    with world.app.app_context():
        user = db.session.scalars(select(User).filter_by(email=STAFF_EMAIL)).one()
        token, _expires = issue_password_reset(user, None, 48)
        db.session.commit()
        return token


def test_the_role_matrix_lists_the_public_routes_fuzzed_here():
    """Guards the discovery: if the rules moved, the fuzzers below would silently fuzz nothing."""
    assert "/s/{campaign_own}/page/1" in PUBLIC_POSTS
    assert {"/login", "/reset/{reset_token}", "/s/{campaign_own}/contact"} <= set(PUBLIC_POSTS)
    assert {"/", "/s/{campaign_own}", "/s/{campaign_own}/done"} <= set(PUBLIC_GETS)
    assert {"/w", "/w/{workshop_code_own}/join", "/w/{workshop_code_own}/assets/{asset_own}"} <= set(PUBLIC_POSTS)


@settings(FUZZ)
@given(
    url=st.sampled_from(PUBLIC_GETS),
    segment=st.none() | path_segment,
    extra=st.none() | path_segment,
    query=query_pairs,
)
@example(url="/s/{campaign_own}", segment="a\x00b", extra=None, query=[])
@example(url="/login", segment=None, extra=None, query=[("next", "\x00")])
def test_public_pages_answer_any_path_and_query_without_error(world: World, url, segment, extra, query):
    path = _fill(url, world.ids(url), segment)
    if extra is not None:
        path = path.rstrip("/") + "/" + quote(extra, safe="")
    if query:
        path += "?" + urlencode(query)
    world.check(world.app.test_client().get(path), f"GET {path!r}")


@settings(FUZZ)
@given(
    url=st.sampled_from(PUBLIC_POSTS),
    segment=st.none() | path_segment,
    pairs=st.lists(st.tuples(st.sampled_from(FIELD_NAMES) | junk_key, junk_text), max_size=8),
    csrf=CSRF,
)
@example(url="/login", segment=None, pairs=[("email", "a\x00@b.org"), ("password", "x")], csrf="valid")
# A start token ending in a newline passed the form's `^...$` pattern; 65 characters overflowed the column.
@example(
    url="/s/{campaign_own}/start",
    segment=None,
    pairs=[("consent", "y"), ("start_token", "a" * 64 + "\n")],
    csrf="valid",
)
def test_public_forms_take_any_post_without_error_or_torn_write(world: World, url, segment, pairs, csrf):
    client = world.app.test_client()
    token = _token(client)
    path = _fill(url, world.ids(url), segment)
    response = client.post(path, data=_with_csrf(pairs, csrf, token))
    world.check(response, f"POST {path!r} {pairs!r}")
    if csrf != "valid":
        # A path no route matches (an empty or odd segment) is a 404 before any form is read, one that
        # only a GET route matches a 405, one missing its trailing slash a redirect; every path a
        # POST route matches must refuse the missing or wrong token.
        wanted = _refusal(world.app, path)
        assert response.status_code == wanted, "a post without a valid CSRF token must be refused"
    if path.endswith("/start") and response.status_code == 303:
        token = first_value(pairs, "start_token") or ""
        assert re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token), f"started with start token {token!r}"
    with world.app.app_context():
        ids_now = db.session.scalars(select(Response.public_id)).all()
        assert torn_state_problems(ids_now) == []


RATING_VALUES = st.sampled_from(["1", "3", "5", "0", "6", " 4", "4.0", ""]) | junk_text


@settings(FUZZ)
@given(
    pairs=st.lists(
        st.tuples(st.sampled_from(["social_impact", "economic_impact", "comment"]) | junk_key, RATING_VALUES),
        max_size=6,
    )
)
@example(pairs=[("social_impact", "5"), ("economic_impact", "1"), ("comment", "=1+1")])
def test_workshop_ratings_take_any_post_without_error_or_a_second_row(world: World, pairs):
    """A joined participant's rating form, posted twice with anything: never a 5xx, at most one row,
    and a stored rating holds exactly what was posted."""
    client = world.app.test_client()
    join_workshop_as(client, world.workshop_code)
    url = f"/w/{world.workshop_code}/assets/dover_library"
    token = csrf_token(client.get(url).get_data(as_text=True))
    answers = [client.post(url, data=MultiDict([("csrf_token", token), *pairs])) for _ in range(2)]
    for answer in answers:
        world.check(answer, f"POST {url} {pairs!r}")
    with world.app.app_context():
        newest = db.session.scalars(select(WorkshopParticipant).order_by(WorkshopParticipant.id.desc())).first()
        assert newest is not None
        rows = db.session.scalars(select(WorkshopRating).filter_by(participant_id=newest.id)).all()
        assert len(rows) == (1 if answers[0].status_code == 303 else 0)
        if rows:
            posted = (first_value(pairs, "social_impact"), first_value(pairs, "economic_impact"))
            assert (str(rows[0].social_impact), str(rows[0].economic_impact)) == posted


def _refusal(app, path: str) -> int:
    """The status a POST to `path` without a valid CSRF token gets: 400 when it reaches a view, else
    the routing answer (Werkzeug's own matching, as the app does it)."""
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(unquote(urlsplit(path).path), method="POST")
    except (NotFound, MethodNotAllowed, RequestRedirect) as refused:
        return refused.code
    return 400


def _safe_for_browsers(location: str) -> bool:
    """Browsers read "\\" as "/" in URLs, so "/\\evil.example" leaves the site like "//evil.example"."""
    parts = urlsplit(location.replace("\\", "/"))
    return parts.netloc in ("", "localhost") and parts.scheme in ("", "http", "https")


@pytest.mark.slow
@settings(FUZZ)
@given(
    email=st.sampled_from([STAFF_EMAIL, STAFF_EMAIL.upper(), f" {STAFF_EMAIL} "]) | junk_text,
    password=st.sampled_from([STAFF_PASSWORD]) | junk_text,
    next_url=st.none()
    | st.sampled_from(["/research/", "//evil.example", "/\\evil.example", "https://evil.example"])
    | junk_text,
)
@example(email=STAFF_EMAIL, password=STAFF_PASSWORD, next_url="/\\evil.example")
def test_sign_in_with_any_input(world: World, email, password, next_url):
    """Exactly the right email (any case, spaces trimmed) and password sign in; the redirect stays on the site."""
    client = world.app.test_client()
    token = _token(client)
    url = "/login" + ("?" + urlencode({"next": next_url}) if next_url is not None else "")
    data = MultiDict([("csrf_token", token), ("email", email), ("password", password)])
    response = client.post(url, data=data)
    world.check(response, f"sign in {email!r} {password!r} next={next_url!r}")
    if "\x00" in email + password + (next_url or ""):
        assert response.status_code == 400
        return
    right = email.strip().lower() == STAFF_EMAIL and password == STAFF_PASSWORD
    assert response.status_code == (303 if right else 422)
    if right:
        assert _safe_for_browsers(response.headers["Location"]), response.headers["Location"]


@pytest.mark.slow
@settings(FUZZ)
@given(
    new=st.sampled_from(["a new password that is long"]) | junk_text,
    confirm=st.sampled_from(["a new password that is long", None]) | junk_text,
    token_kind=st.sampled_from(["valid", "valid", "used", "junk"]),
)
def test_password_reset_with_any_input(world: World, new, confirm, token_kind):
    """A reset link sets a password only when both boxes match and it is 12-200 characters."""
    token = _reset_token(world) if token_kind != "junk" else secrets.token_urlsafe(24)
    client = world.app.test_client()
    if token_kind == "used":
        used = {"csrf_token": _token(client), "new_password": "x" * 12, "confirm": "x" * 12}
        assert client.post(f"/reset/{token}", data=used).status_code == 303
    confirm = new if confirm is None else confirm
    response = client.post(
        f"/reset/{token}", data=MultiDict([("csrf_token", _token(client)), ("new_password", new), ("confirm", confirm)])
    )
    world.check(response, f"reset {token_kind} {new!r} {confirm!r}")
    if "\x00" in new + confirm:
        assert response.status_code == 400
    elif token_kind != "valid":
        assert response.status_code in (404, 410), "a used or unknown reset link must not work"
    else:
        fits = new.strip() != "" and 12 <= len(new) <= 200 and new == confirm
        assert response.status_code == (303 if fits else 422)


API_PARAMS = ["campaign", "community", "verified_only", "limit", "cursor", "content", "format", "page"]
# Header values a client can send: printable latin-1 (the test client refuses line breaks, as servers do).
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=60)


def _api_gets(app: Flask) -> list[str]:
    """The API's GET routes, read from the url_map (the API is written elsewhere and grows)."""
    return sorted(r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/") and "GET" in r.methods)


@pytest.mark.slow
@settings(FUZZ)
@given(data=st.data())
def test_api_reads_take_any_query_and_authorization_without_error(world: World, data: st.DataObject):
    """Every API GET with any query and Authorization header answers JSON; errors carry a message."""
    routes = _api_gets(world.app)
    assert routes, "no GET routes under /api/"
    with world.app.app_context():
        from survey.accounts.api_tokens import create_token

        user = db.session.scalars(select(User).filter_by(email=STAFF_EMAIL)).one()
        _row, token = create_token(user, "fuzz")
        db.session.commit()
    route = data.draw(st.sampled_from(routes), label="route")
    path = re.sub(r"<(?:\w+:)?\w+>", lambda _m: quote(data.draw(path_segment, label="segment"), safe=""), route)
    query = data.draw(st.lists(st.tuples(st.sampled_from(API_PARAMS) | junk_key, junk_text), max_size=4))
    query += data.draw(st.lists(st.tuples(st.sampled_from(API_PARAMS), st.sampled_from([SLUG, "1", "0", "true"]))))
    authorization = data.draw(
        mostly(
            st.just(f"Bearer {token}"),
            st.none() | header_text | header_text.map(lambda junk: f"Bearer {junk}") | st.just(f"bearer  {token}"),
        ),
        label="authorization",
    )
    url = path + ("?" + urlencode(query) if query else "")
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = world.app.test_client().get(url, headers=headers)
    cause = "\n".join(world.errors.records[-1:])
    assert response.status_code < 500, f"GET {url!r} {authorization!r} -> {response.status_code}\n{cause}"
    assert response.is_json, f"GET {url!r} answered {response.mimetype}"
    if response.status_code >= 400:
        assert response.get_json()["error"]["message"], f"GET {url!r}: {response.status_code} with no message"
    if token not in (authorization or "") and route != "/api/v1/openapi.json":
        assert response.status_code in (400, 401), "a read without the token must be refused"


# -- the residents' survey as a state machine --------------------------------------------------------


@dataclass
class Person:
    """A browser working through the survey: its client, CSRF token and the response it fills."""

    client: FlaskClient
    token: str
    public_id: str | None = None
    contact_token: str | None = None  # from the thank-you page shown right after submitting
    contact_spent: bool = False


class ResidentFlow(RuleBasedStateMachine):
    """Residents starting, answering, saving, resuming, submitting and leaving contact details.

    Every post is predicted by the oracle; after every step no response is torn (see
    `fuzz_support.torn_state_problems`) and only the response posted to has changed.
    """

    world: World  # set by the test before the run

    people = Bundle("people")

    def __init__(self) -> None:
        super().__init__()
        self.public_ids: list[str] = []
        self.codes: dict[str, str] = {}  # public id -> its latest resume code
        self.start_tokens: list[str] = []

    def _states(self):
        with self.world.app.app_context():
            return response_states(self.public_ids)

    def _arrive(self) -> Person:
        client = self.world.app.test_client()
        page = client.get(f"/s/{SLUG}")
        return Person(client, csrf_token(self.world.check(page, "consent page")))

    @initialize(target=people)
    def first_person(self) -> Person:
        return self._arrive()

    @rule(target=people)
    def another_person(self) -> Person:
        return self._arrive()

    @rule(
        person=people,
        consent=st.sampled_from(["y", "y", "on"]) | st.none() | junk_text,
        token_kind=st.sampled_from(["fresh", "fresh", "fresh", "reused", "junk"]),
        junk=junk_text | st.sampled_from(["a" * 19, "a" * 65, "a" * 20 + "\n", "a" * 64 + "\n", "a" * 20 + " "]),
        csrf=CSRF,
    )
    def start(self, person: Person, consent, token_kind, junk, csrf) -> None:
        if token_kind == "reused" and self.start_tokens:
            start_token = self.start_tokens[0]
        elif token_kind == "junk":
            start_token = junk
        else:
            start_token = secrets.token_urlsafe(24)
        pairs: Pairs = [("start_token", start_token)] + ([("consent", consent)] if consent is not None else [])
        before = self._states()
        response = person.client.post(f"/s/{SLUG}/start", data=_with_csrf(pairs, csrf, person.token))
        self.world.check(response, f"start {pairs!r}")
        event(f"start: {response.status_code}")
        if csrf != "valid" or has_nul(pairs) or not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", start_token):
            assert response.status_code == 400
        elif consent in (None, "", "false"):
            assert response.status_code == 422
        else:
            assert response.status_code == 303
            with self.world.app.app_context():
                owner = db.session.scalars(select(Response).filter_by(start_token=start_token)).one()
            if owner.status == "complete":
                # A start token of a submitted response (a replayed form) never reopens it.
                assert response.headers["Location"].endswith(f"/s/{SLUG}")
                # The browser keeps whatever it was filling in before (maybe another, unfinished response),
                # but never the submitted one.
                with person.client.session_transaction() as session:
                    held = session.get("responses", {}).get(SLUG)
                assert held != owner.public_id
                person.public_id = held
                return
            with person.client.session_transaction() as session:
                person.public_id = session["responses"][SLUG]
            assert owner.public_id == person.public_id, "the same start token must give the same response"
            if person.public_id not in self.public_ids:
                self.public_ids.append(person.public_id)
                self.start_tokens.append(start_token)
                assert self._states()[person.public_id].values == {}
            return
        assert self._states() == before

    @rule(person=people, number=st.integers(-1, 6))
    def look_at_page(self, person: Person, number: int) -> None:
        self.world.check(person.client.get(f"/s/{SLUG}/page/{number}"), f"GET page {number}")

    @rule(
        person=people,
        data=st.data(),
        action=mostly(st.sampled_from(["next", "next", "back", "save", None]), junk_text),
        csrf=CSRF,
    )
    def answer_page(self, person: Person, data: st.DataObject, action, csrf) -> None:
        sections = self.world.sections
        number = data.draw(mostly(st.integers(1, len(sections)), st.sampled_from([0, len(sections) + 1])), label="page")
        section = sections[min(max(number, 1), len(sections)) - 1]
        pairs: Pairs = data.draw(section_pairs(section), label="pairs")
        if action is not None:
            pairs.insert(data.draw(st.integers(0, len(pairs)), label="action at"), ("action", action))
        before = self._states()
        response = person.client.post(f"/s/{SLUG}/page/{number}", data=_with_csrf(pairs, csrf, person.token))
        self.world.check(response, f"page {number} {pairs!r}")
        event(f"page post: {response.status_code}")
        after = self._states()
        current = before.get(person.public_id or "")
        sent = first_value(pairs, "action")
        chosen = "next" if sent is None else sent  # no button named (Enter in a field) means Continue; "" is junk
        if csrf != "valid" or has_nul(pairs):
            assert response.status_code == 400
        elif current is None or current.status == "complete":
            # A submitted response is forgotten by the browser: nothing of it is reachable any more.
            assert response.status_code == 303 and response.headers["Location"].endswith(f"/s/{SLUG}")
        elif not 1 <= number <= len(sections):
            assert response.status_code == 404
        elif chosen not in ("next", "back", "save"):
            assert response.status_code == 400
        else:
            expected = expected_page(section, pairs, enforce_required=chosen == "next")
            assert response.status_code == (303 if expected.valid else 422), (expected, pairs)
            if expected.valid:
                self._check_saved(person, section, expected.values, before, after, chosen, number)
                return
        assert after == before, "a refused post changed the database"

    def _check_saved(self, person, section, values, before, after, action, number) -> None:
        """Exactly this page of this response changed, to exactly the answers posted."""
        assert person.public_id is not None
        old, new = before[person.public_id], after[person.public_id]
        others = {k: v for k, v in old.values.items() if k not in section.item_keys}
        expected_values = {**others, **{k: v for k, v in values.items() if v is not None}}
        assert new.values == expected_values
        assert {k: v for k, v in before.items() if k != person.public_id} == {
            k: v for k, v in after.items() if k != person.public_id
        }, "a post changed another resident's response"
        assert new.status == "partial"  # only "Check your answers" submits
        event(f"saved with {action!r}, response {new.status}")
        if action == "save":
            saved = person.client.get(f"/s/{SLUG}/saved")
            match = SAVED_CODE.search(self.world.check(saved, "saved page"))
            assert match, "the saved page shows no resume code"
            self.codes[person.public_id] = match.group(1)

    @rule(person=people, data=st.data())
    def answer_every_page(self, person: Person, data: st.DataObject) -> None:
        """A careful resident: valid answers on every page, in order, then the survey is complete."""
        if person.public_id is None:
            self.start(person, "y", "fresh", "", "valid")
        assert person.public_id is not None
        if self._states()[person.public_id].status == "complete":
            return
        for number, section in enumerate(self.world.sections, start=1):
            pairs = data.draw(complete_section_pairs(section), label=f"page {number}")
            before = self._states()
            response = person.client.post(f"/s/{SLUG}/page/{number}", data=_with_csrf(pairs, "valid", person.token))
            self.world.check(response, f"page {number} {pairs!r}")
            assert response.status_code == 303, pairs
            expected = expected_page(section, pairs, enforce_required=True)
            assert expected.valid, "the oracle refused a careful resident's page"
            self._check_saved(person, section, expected.values, before, self._states(), "next", number)
        self.submit(person, "valid")
        assert self._states()[person.public_id].status == "complete"

    @rule(person=people, csrf=CSRF)
    def submit(self, person: Person, csrf) -> None:
        """ "Check your answers", then Submit: complete when every required answer is there."""
        before = self._states()
        response = person.client.post(f"/s/{SLUG}/check", data=_with_csrf([], csrf, person.token))
        self.world.check(response, "submit")
        event(f"submit: {response.status_code}")
        current = before.get(person.public_id or "")
        if csrf != "valid":
            assert response.status_code == 400
            assert self._states() == before
            return
        if current is None or current.status == "complete":
            assert response.status_code == 303 and response.headers["Location"].endswith(f"/s/{SLUG}")
            assert self._states() == before
            return
        assert response.status_code == 303
        after = self._states()
        if response.headers["Location"].endswith("/done"):
            assert after[person.public_id].status == "complete"
            required = {item.key for page in self.world.sections for item in page.items if item.required}
            required = {key.removesuffix("-uses") for key in required}
            assert required <= set(after[person.public_id].values), "complete without a required answer"
            self.codes.pop(person.public_id, None)
            thanks = self.world.check(person.client.get(f"/s/{SLUG}/done"), "thank-you page")
            match = re.search(r'name="contact_token" value="([^"]+)"', thanks)
            person.contact_token, person.contact_spent = (match.group(1) if match else None), False
        else:
            assert "/page/" in response.headers["Location"]
            assert after == before

    @rule(person=people, data=st.data(), csrf=CSRF)
    def resume(self, person: Person, data: st.DataObject, csrf) -> None:
        known = sorted(self.codes.items())
        if known and data.draw(st.booleans(), label="use a real code"):
            public_id, code = data.draw(st.sampled_from(known), label="code")
            code = data.draw(st.sampled_from([code, code.lower().replace("-", " "), code[:-1]]), label="typed")
        else:
            code = data.draw(junk_text, label="code")
        pairs: Pairs = [("code", code)]
        before = self._states()
        response = person.client.post(f"/s/{SLUG}/resume", data=_with_csrf(pairs, csrf, person.token))
        self.world.check(response, f"resume {code!r}")
        event(f"resume: {response.status_code}")
        assert self._states() == before, "resuming must not change any answers"
        if csrf != "valid" or has_nul(pairs):
            assert response.status_code == 400
            return
        typed = normalise_resume_code(code.strip()) if len(code.strip()) <= 40 else ""
        owner = next((pid for pid, c in self.codes.items() if c.replace("-", "") == typed), None)
        if owner is None or len(typed) != RESUME_CODE_LENGTH:
            assert response.status_code == 422
        else:
            assert response.status_code == 303
            person.public_id = owner

    @rule(
        person=people,
        name=st.sampled_from(["Sam Resident"]) | junk_text,
        email=st.sampled_from(["sam@example.org", ""]) | junk_text,
        phone=st.sampled_from(["07700 900123", ""]) | junk_text,
        purposes=st.lists(st.sampled_from(["interview", "workshop"]) | junk_text, max_size=3),
        csrf=CSRF,
    )
    def leave_contact_details(self, person: Person, name, email, phone, purposes, csrf) -> None:
        pairs: Pairs = [("name", name), ("email", email), ("phone", phone)] + [("purposes", p) for p in purposes]
        if person.contact_token:
            pairs.append(("contact_token", person.contact_token))
        before = self._states()
        response = person.client.post(f"/s/{SLUG}/contact", data=_with_csrf(pairs, csrf, person.token))
        self.world.check(response, f"contact {pairs!r}")
        assert self._states() == before, "contact details must never touch the answers"
        complete = person.contact_token is not None and not person.contact_spent
        reachable = email in ("sam@example.org", "") and phone in ("07700 900123", "") and (email or phone)
        clean = name == "Sam Resident" and reachable and purposes and set(purposes) <= {"interview", "workshop"}
        if csrf != "valid" or has_nul(pairs):
            assert response.status_code == 400
        elif not complete:  # no thank-you page token, or it was used already
            assert response.status_code == 303 and response.headers["Location"].endswith("/done")
        elif clean:
            assert response.status_code == 303 and response.headers["Location"].endswith("/done")
            person.contact_spent = True
            with self.world.app.app_context():
                stored = db.session.scalars(select(ContactDetail).filter_by(response_public_id=person.public_id)).one()
                assert (stored.name, stored.email, stored.phone) == (name, email, phone)
        else:
            assert response.status_code in (303, 422)

    @rule(person=people)
    def look_at_thanks(self, person: Person) -> None:
        response = person.client.get(f"/s/{SLUG}/done")
        body = self.world.check(response, "done page")
        assert response.status_code == 200
        # Shown again (reloaded, Back, typed in): nothing of anyone's response.
        assert "Your wellbeing score" not in body and 'name="contact_token"' not in body

    @invariant()
    def nothing_is_torn(self) -> None:
        with self.world.app.app_context():
            assert torn_state_problems(self.public_ids) == []


@pytest.mark.slow
def test_residents_survey_state_machine(world: World):
    ResidentFlow.world = world
    run_state_machine_as_test(ResidentFlow, settings=settings(FUZZ))

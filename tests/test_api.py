"""The JSON API (issue 5, parts 5-7): tokens, authentication, paging, errors, logging, rate limit."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import MetaData, delete, select

from survey import create_app
from survey.accounts.api_tokens import create_token, mark_used
from survey.accounts.operations import set_active
from survey.campaigns.operations import create_campaign, open_campaign
from survey.extensions import db
from survey.models import Answer, ApiToken, Asset, Campaign, Community, DataAccess, Response, User
from tests.helpers import post_form

TOKEN_PATTERN = re.compile(r'value="(cwb_[A-Za-z0-9_-]{43})"')
RESEARCHER = "rita@example.org"


def _token_for(app: Flask, email: str) -> str:
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        _row, token = create_token(user, "tests")
        db.session.commit()
    return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def researcher_token(app, make_user) -> str:
    make_user(RESEARCHER, "researcher")
    return _token_for(app, RESEARCHER)


def _assert_error(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["status"] == status and body["error"]["message"]
    return body["error"]["message"]


# --- tokens in the web app --------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(app, client, make_user, login):
    make_user(RESEARCHER, "researcher")
    login(RESEARCHER)
    created = post_form(client, "/account/tokens", "/account/tokens", {"name": "R on my laptop"})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    token = TOKEN_PATTERN.search(created.get_data(as_text=True)).group(1)  # type: ignore[union-attr]

    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "R on my laptop" in listing and token[:12] in listing
    assert token not in listing

    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        # Nowhere in the database (audit trail included) is the token itself.
        connection = db.session.connection()
        metadata = MetaData()
        metadata.reflect(bind=connection)
        for table in metadata.sorted_tables:
            for values in connection.execute(select(table)):
                assert token not in repr(tuple(values)), table.name
    assert client.get("/api/v1/communities", headers=_bearer(token)).status_code == 200


def test_the_new_token_page_gives_an_example_that_runs_as_typed(client, make_user, login):
    # It used $TOKEN without setting it (401 for whoever copied the line) and the README's example
    # had an unquoted & that a shell runs as "in the background".
    make_user(RESEARCHER, "researcher")
    login(RESEARCHER)
    html = post_form(client, "/account/tokens", "/account/tokens", {"name": "curl"}).get_data(as_text=True)
    token = TOKEN_PATTERN.search(html).group(1)  # type: ignore[union-attr]
    example = html[html.index('<pre class="app-pre"><code>') :].split("</code>", 1)[0]
    assert f'TOKEN="{token}"' in example
    url = re.search(r'curl -H "Authorization: Bearer \$TOKEN" "http://localhost(/api/v1/[^"]+)"', example)
    assert url is not None, example
    assert client.get(url.group(1), headers=_bearer(token)).status_code == 200


def test_a_token_needs_a_name(client, make_user, login):
    make_user(RESEARCHER, "researcher")
    login(RESEARCHER)
    refused = post_form(client, "/account/tokens", "/account/tokens", {"name": "   "})
    assert refused.status_code == 422
    assert "Give the token a name" in refused.get_data(as_text=True)
    assert "cwb_" not in refused.get_data(as_text=True)


def test_a_revoked_token_answers_401(app, client, login, researcher_token):
    headers = _bearer(researcher_token)
    assert client.get("/api/v1/communities", headers=headers).status_code == 200
    login(RESEARCHER)
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    # Revoke asks first (it revoked at once): nothing is revoked until the confirmation's button.
    asked = post_form(client, "/account/tokens", f"/account/tokens/{token_id}/revoke")
    assert asked.status_code == 200 and "Revoke the token" in asked.text and "cannot be brought back" in asked.text
    assert client.get("/api/v1/communities", headers=headers).status_code == 200
    revoked = post_form(client, "/account/tokens", f"/account/tokens/{token_id}/revoke", {"confirm": "yes"})
    assert revoked.status_code == 303
    assert "revoked" in client.get("/account/tokens").get_data(as_text=True)
    # A second click of the confirmation changes nothing and says so again.
    again = post_form(client, "/account/tokens", f"/account/tokens/{token_id}/revoke", {"confirm": "yes"})
    assert again.status_code == 303

    refused = client.get("/api/v1/communities", headers=headers)
    _assert_error(refused, 401)
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="survey-api", error="invalid_token"'


def test_only_the_owner_can_revoke_a_token(app, client, make_user, login, researcher_token):
    make_user("other@example.org", "researcher")
    login("other@example.org")
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    assert post_form(client, "/account/tokens", f"/account/tokens/{token_id}/revoke").status_code == 404
    assert client.get("/api/v1/communities", headers=_bearer(researcher_token)).status_code == 200


def test_a_deactivated_account_answers_401_and_a_peer_403(app, client, researcher_token):
    headers = _bearer(researcher_token)
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email=RESEARCHER)).one()
        user.role = "peer"
        db.session.commit()
    message = _assert_error(client.get("/api/v1/communities", headers=headers), 403)
    assert "researchers and administrators" in message
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email=RESEARCHER)).one()
        user.role = "researcher"
        set_active(user, False)
        db.session.commit()
    _assert_error(client.get("/api/v1/communities", headers=headers), 401)


@pytest.mark.parametrize(
    "authorization",
    [None, "Basic cmVzZWFyY2hlcjpwYXNzd29yZA==", "Bearer", "Bearer cwb_not-a-real-token", "Bearer \x7f"],
    ids=["none", "basic", "empty", "unknown", "garbage"],
)
def test_requests_without_a_valid_token_answer_401(client, researcher_token, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    refused = client.get("/api/v1/responses", headers=headers)
    _assert_error(refused, 401)
    assert refused.headers["WWW-Authenticate"].startswith('Bearer realm="survey-api"')


def test_a_signed_in_browser_has_no_api_access_without_a_token(client, make_user, login):
    """The session cookie carries no authority on /api/, so a cross-site request cannot use it."""
    make_user(RESEARCHER, "researcher")
    login(RESEARCHER)
    assert client.get("/research/").status_code == 200
    _assert_error(client.get("/api/v1/responses"), 401)


def test_token_requests_need_no_csrf_token(client, researcher_token):
    # A fresh client: no session, no CSRF token. A POST is refused as a method (405), not as CSRF (400).
    answer = client.get("/api/v1/communities", headers=_bearer(researcher_token))
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers  # nothing to carry from one request to the next
    refused = client.post("/api/v1/communities", headers=_bearer(researcher_token), data={"name": "x"})
    _assert_error(refused, 405)
    assert "GET" in refused.headers["Allow"]


# --- errors as JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v2/communities", "/api/"])
def test_unknown_api_paths_answer_json_404(client, path):
    _assert_error(client.get(path), 404)


def test_non_api_pages_keep_their_html_errors(client):
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"


def test_the_openapi_document_needs_no_token(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert document.get_json()["openapi"].startswith("3.")


# --- lists and the access log -----------------------------------------------------------------


def test_lists_filter_by_community_and_every_read_is_logged(app, client, make_campaign, researcher_token):
    make_campaign("dover-town", asset_slugs=("dover_library",))
    make_campaign(
        "sheppey",
        asset_slugs=("sheppey_library", "sheppey_beach"),
        population_size=32000,
        population_source="ONS mid-2023, aged 16+",
        sampling_method="random",
    )
    with app.app_context():
        sheppey = db.session.scalars(select(Community).filter_by(slug="sheppey")).one()
        create_campaign(sheppey, "sheppey-practice", "Practice", ["wemwbs"], practice=True)
        db.session.commit()
    headers = _bearer(researcher_token)

    communities = client.get("/api/v1/communities", headers=headers).get_json()["data"]
    assert [c["slug"] for c in communities] == ["dover-town", "sheppey"]
    campaigns = client.get("/api/v1/campaigns?community=sheppey", headers=headers).get_json()["data"]
    assert {(c["slug"], c["practice"]) for c in campaigns} == {("sheppey", False), ("sheppey-practice", True)}
    real = next(c for c in campaigns if c["slug"] == "sheppey")
    assert (real["population_size"], real["population_source"], real["sampling_method"]) == (
        32000,
        "ONS mid-2023, aged 16+",
        "random",
    )
    with app.app_context():  # where it is and its cost's price year, as the asset log and exports give them
        library = db.session.scalars(select(Asset).filter_by(slug="sheppey_library")).one()
        library.postcode, library.latitude, library.longitude = "ME12 1HH", 51.44, 0.76
        library.annual_cost, library.cost_year = 12000.0, 2024
        db.session.commit()
    assets = client.get("/api/v1/assets?community=sheppey", headers=headers).get_json()["data"]
    assert sorted(a["slug"] for a in assets) == ["sheppey_beach", "sheppey_library"]
    # The API gave annual_cost without its price year, and no place, beside pages saying "(2024 prices)".
    shown = {
        a["slug"]: (a["postcode"], a["latitude"], a["longitude"], a["annual_cost"], a["cost_year"]) for a in assets
    }
    assert shown == {
        "sheppey_library": ("ME12 1HH", 51.44, 0.76, 12000.0, 2024),
        "sheppey_beach": ("", None, None, None, None),
    }
    _assert_error(client.get("/api/v1/assets?community=atlantis", headers=headers), 400)

    with app.app_context():
        logged = db.session.scalars(select(DataAccess).order_by(DataAccess.id)).all()
        user_id = db.session.scalars(select(User.id).filter_by(email=RESEARCHER)).one()
        assert [(e.channel, e.resource, e.filters, e.row_count) for e in logged] == [
            ("api", "api:communities", {}, 2),
            ("api", "api:campaigns", {"community": "sheppey"}, 2),
            ("api", "api:assets", {"community": "sheppey"}, 2),
        ]  # the refused request disclosed nothing and is not logged
        assert {(e.user_id, e.user_label) for e in logged} == {(user_id, RESEARCHER)}
        row = db.session.scalars(select(ApiToken)).one()
        assert row.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(app, client, researcher_token):
    client.get("/api/v1/communities", headers=_bearer(researcher_token))
    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        first = row.last_used_at
        assert first is not None
        assert mark_used(row, first + timedelta(seconds=59)) is False
        assert mark_used(row, first + timedelta(seconds=61)) is True
        assert row.last_used_at == first + timedelta(seconds=61)


# --- responses --------------------------------------------------------------------------------


@pytest.fixture
def survey_data(app, demo):
    """Demo responses (some partial), one complete with a WEMWBS item missing, one unverified,
    and a practice campaign with a complete response that must never appear."""
    from survey.demo.catalogue import DEMO_INSTRUMENTS

    demo("--responses", "20", "--no-paper", "--no-profiles")
    with app.app_context():
        complete = select(Response).filter_by(status="complete").order_by(Response.id)
        gap, unverified = db.session.scalars(complete.limit(2)).all()
        db.session.execute(delete(Answer).where(Answer.response_id == gap.id, Answer.item_key == "wemwbs_3"))
        unverified.verified = False
        community = db.session.scalars(select(Community).filter_by(slug="dover-town")).one()
        practice = create_campaign(community, "dover-practice", "Practice run", DEMO_INSTRUMENTS, practice=True)
        open_campaign(practice)
        db.session.flush()
        trial = Response(
            public_id="practice" + "0" * 24,
            campaign=practice,
            community_id=community.id,
            mode="online",
            instrument_versions={},
            consent=True,
            status="complete",
            submitted_at=unverified.submitted_at,
        )
        db.session.add(trial)
        db.session.flush()
        for number in range(1, 15):
            db.session.add(Answer(response_id=trial.id, item_key=f"wemwbs_{number}", value=5))
        db.session.commit()
        return {"gap": gap.public_id, "unverified": unverified.public_id, "practice": trial.public_id}


def _expected_wemwbs(app, *, verified_only: bool = False) -> dict[str, int | None]:
    """{public id: WEMWBS} of every complete non-practice response, summed here from the answers table."""
    with app.app_context():
        statement = (
            select(Response.id, Response.public_id)
            .join(Campaign)
            .where(Response.status == "complete", Campaign.practice.is_(False))
        )
        if verified_only:
            statement = statement.where(Response.verified.is_(True))
        responses = dict(db.session.execute(statement).all())
        items: dict[int, list[int]] = {}
        answers = select(Answer.response_id, Answer.value).where(Answer.item_key.like("wemwbs\\_%", escape="\\"))
        for response_id, value in db.session.execute(answers):
            if value is not None:
                items.setdefault(response_id, []).append(value)
    return {
        public_id: sum(items[rid]) if len(items.get(rid, [])) == 14 else None for rid, public_id in responses.items()
    }


def _all_pages(client, token: str, query: str) -> tuple[list[dict], list[int]]:
    rows: list[dict] = []
    totals: list[int] = []
    url = f"/api/v1/responses?{query}"
    while True:
        page = client.get(url, headers=_bearer(token))
        assert page.status_code == 200, page.get_data(as_text=True)
        body = page.get_json()
        rows += body["data"]
        totals.append(body["total"])
        if body["next_cursor"] is None:
            return rows, totals
        url = f"/api/v1/responses?{query}&cursor={quote(body['next_cursor'])}"


def test_paging_returns_every_complete_response_once_with_its_scores(app, client, survey_data, researcher_token):
    expected = _expected_wemwbs(app)
    rows, totals = _all_pages(client, researcher_token, "limit=7")

    ids = [row["response_id"] for row in rows]
    assert len(ids) == len(set(ids)) == len(expected) == totals[0]
    assert set(ids) == set(expected)
    assert survey_data["practice"] not in ids
    assert len(totals) == -(-len(expected) // 7)  # no empty last page
    got = {row["response_id"]: row["wemwbs"] for row in rows}
    assert got == expected
    assert got[survey_data["gap"]] is None and rows[0]["wemwbs_1"] is not None
    for row in rows:
        if row["wemwbs"] is not None:
            assert row["swemwbs_raw"] == sum(row[f"wemwbs_{n}"] for n in (1, 2, 3, 6, 7, 9, 11))
        assert row["submitted_at"].endswith("Z")
    with app.app_context():
        logged = db.session.scalars(select(DataAccess).where(DataAccess.resource == "api:responses")).all()
        assert len(logged) == len(totals)
        assert sum(entry.row_count for entry in logged) == len(expected)
        start = {"campaign": None, "community": None, "verified_only": False, "limit": 7, "after_id": None}
        assert logged[0].filters == start
        assert logged[1].filters["after_id"] is not None


def test_responses_carry_the_ons_answers_and_the_document_describes_them(app, client, survey_data, researcher_token):
    with app.app_context():
        stored = {
            (public_id, key): value
            for public_id, key, value in db.session.execute(
                select(Response.public_id, Answer.item_key, Answer.value)
                .join(Response, Response.id == Answer.response_id)
                .where(Answer.item_key.like("ons\\_%", escape="\\"))
            )
        }
    rows, _ = _all_pages(client, researcher_token, "limit=1000")
    keys = ("ons_life_satisfaction", "ons_worthwhile", "ons_happy", "ons_anxious")
    assert list(rows[0])[list(rows[0]).index("years_in_area") + 1 :][:5] == [*keys, "wemwbs_1"]
    answered = 0
    for row in rows:
        for key in keys:
            assert row[key] == stored.get((row["response_id"], key))  # null where not answered
            answered += row[key] is not None
            assert row[key] is None or 0 <= row[key] <= 10
    assert answered > 100
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["ResponseRow"]
    assert all(
        schema["properties"][key] | {"description": ""}
        == {"type": ["integer", "null"], "minimum": 0, "maximum": 10, "description": ""}
        for key in keys
    )
    assert set(keys) <= set(schema["required"])


def test_filters_narrow_the_responses(app, client, survey_data, researcher_token):
    verified = _expected_wemwbs(app, verified_only=True)
    rows, _ = _all_pages(client, researcher_token, "verified_only=true&limit=50")
    assert {row["response_id"] for row in rows} == set(verified)
    assert survey_data["unverified"] not in verified

    rows, totals = _all_pages(client, researcher_token, "community=sheppey&limit=50")
    assert rows and {row["community"] for row in rows} == {"sheppey"} and totals[0] == len(rows)
    assert any(key.startswith("asset_") and not key.startswith("assets_used") for key in rows[0])
    # A campaign outside the community asked for selects nothing: refused, saying why (it was an empty page).
    contradiction = client.get(
        "/api/v1/responses?campaign=aylesham&community=sheppey", headers=_bearer(researcher_token)
    )
    assert 'campaign "aylesham" is of the community "aylesham"' in _assert_error(contradiction, 400)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("campaign=atlantis", 'Unknown campaign "atlantis"'),
        ("community=atlantis", 'Unknown community "atlantis"'),
        ("campaign=dover-practice", "practice"),
        ("limit=0", "limit must be a whole number from 1 to 1000"),
        ("limit=1001", "limit must be"),
        ("limit=ten", "limit must be"),
        ("limit=" + "9" * 5000, "limit must be"),  # beyond the digits int() reads
        ("limit=%C2%B2", "limit must be"),  # "²": isdigit() yet not a number int() reads
        ("verified_only=perhaps", "verified_only must be true or false"),
        ("cursor=not-a-cursor", "cursor is not valid"),
        ("community=dover%20town", 'Unknown community "dover town"'),
        ("community=%00", ""),  # refused before any view (survey.security), still as JSON
    ],
)
def test_bad_parameters_answer_400_with_a_message(client, survey_data, researcher_token, query, message):
    found = _assert_error(client.get(f"/api/v1/responses?{query}", headers=_bearer(researcher_token)), 400)
    assert message in found


def test_a_cursor_only_works_with_the_filters_it_came_from(client, survey_data, researcher_token):
    headers = _bearer(researcher_token)
    first = client.get("/api/v1/responses?limit=2&community=sheppey", headers=headers).get_json()
    cursor = quote(first["next_cursor"])
    assert (
        client.get(f"/api/v1/responses?limit=2&community=sheppey&cursor={cursor}", headers=headers).status_code == 200
    )
    moved = client.get(f"/api/v1/responses?limit=2&community=swanley&cursor={cursor}", headers=headers)
    assert "other filters" in _assert_error(moved, 400)


# --- rate limit -------------------------------------------------------------------------------


def test_requests_are_limited_per_token(database_url):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k", "TESTING": True, "API_LIMIT": "3 per minute"})
    with app.app_context():
        from survey.accounts.operations import create_user

        first = create_user("a@example.org", "researcher", "long enough password")
        second = create_user("b@example.org", "admin", "long enough password")
        tokens = [create_token(user, "t")[1] for user in (first, second)]
        db.session.commit()
    client = app.test_client()
    statuses = [client.get("/api/v1/communities", headers=_bearer(tokens[0])).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/assets", headers=_bearer(tokens[0]))
    assert "3 per 1 minute" in _assert_error(limited, 429)
    assert "Retry-After" in limited.headers
    # Another token from the same address has its own allowance.
    assert client.get("/api/v1/communities", headers=_bearer(tokens[1])).status_code == 200
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("authorization", "refused"),
    [
        (None, False),
        ("Basic cmVzZWFyY2hlcjpwYXNzd29yZA==", False),
        ("Bearer", False),
        ("Bearer cwb_not-a-real-token", True),
        ("Bearer not-even-the-prefix", True),
    ],
    ids=["none", "basic", "empty", "unknown", "unprefixed"],
)
def test_only_a_refused_bearer_token_is_called_an_invalid_token(client, authorization, refused):
    # RFC 6750, 3.1: a request without a Bearer token (none, or Basic) gets no error code; it said
    # error="invalid_token" to any request with an Authorization header, Basic included.
    headers = {"Authorization": authorization} if authorization is not None else {}
    challenge = client.get("/api/v1/communities", headers=headers).headers["WWW-Authenticate"]
    assert challenge == 'Bearer realm="survey-api"' + (', error="invalid_token"' if refused else "")

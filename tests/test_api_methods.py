"""HEAD and OPTIONS on the JSON API: HEAD sends no data, so it is not logged as a read; OPTIONS
answers 204 with Allow on every route, with or without a token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import ApiToken, DataAccess
from tests.helpers import bearer_for

ROUTES = [
    "/api/v1/communities",
    "/api/v1/campaigns",
    "/api/v1/assets",
    "/api/v1/responses",
    "/api/v1/codebook",
    "/api/v1/openapi.json",
]


@pytest.fixture
def bearer(app, make_user) -> dict[str, str]:
    make_user("rita@example.org", "researcher")
    return bearer_for(app, "rita@example.org")


def _logged(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(DataAccess.resource).order_by(DataAccess.id)))


def test_head_sends_no_data_and_is_not_logged_as_a_read(app, client, make_campaign, bearer):
    make_campaign("dover-town")
    for path in ROUTES[:-1]:
        head = client.head(path, headers=bearer)
        assert head.status_code == 200 and head.get_data() == b"" and head.mimetype == "application/json"
    assert _logged(app) == []
    with app.app_context():  # the token was used, all the same
        assert db.session.scalars(select(ApiToken.last_used_at)).one() is not None
    # The same requests as GET are reads, each logged once.
    for path in ROUTES[:-1]:
        assert client.get(path, headers=bearer).status_code == 200
    assert _logged(app) == ["api:communities", "api:campaigns", "api:assets", "api:responses", "api:codebook"]


def test_head_without_a_token_is_refused_like_get(client):
    assert client.head("/api/v1/responses").status_code == 401


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("with_token", [True, False], ids=["token", "no-token"])
def test_options_answers_204_with_allow_on_every_route(app, client, bearer, path, with_token):
    answer = client.options(path, headers=bearer if with_token else {})
    assert answer.status_code == 204
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert answer.get_data() == b"" and "Content-Type" not in answer.headers
    assert _logged(app) == []


def test_options_on_an_unknown_api_path_is_the_json_404(client):
    answer = client.options("/api/v1/nothing-here")
    assert answer.status_code == 404 and answer.get_json()["error"]["status"] == 404

"""The JSON API's query string at its edges: repeated filters and NUL characters get a clear 400."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import ExportJob
from tests.helpers import bearer_for, post_form


@pytest.fixture
def bearer(app, make_user) -> dict[str, str]:
    make_user("rita@example.org", "researcher")
    return bearer_for(app, "rita@example.org")


def _message(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/responses?community=dover-town&community=aylesham",
        "/api/v1/responses?campaign=dover-town&campaign=dover-town",
        "/api/v1/assets?community=aylesham&community=dover-town",
        "/api/v1/responses?limit=5&limit=1000",
    ],
)
def test_a_repeated_filter_is_refused_instead_of_only_its_first_value_applied(
    client, make_campaign, bearer, query
) -> None:
    # It answered 200 with the first value's rows only: the client asked for two communities'
    # responses and silently got one's.
    make_campaign("dover-town")
    make_campaign("aylesham", asset_slugs=("aylesham_hall",))
    message = _message(client.get(query, headers=bearer), 400)
    name = query.split("?")[1].split("=")[0]
    assert message == f'give each query parameter once: "{name}" came more than once'


def test_a_nul_character_in_a_filter_is_named_in_the_api_message(client, bearer) -> None:
    # The message was the generic "The request could not be understood."
    message = _message(client.get("/api/v1/responses?campaign=dover%00town", headers=bearer), 400)
    assert message == "The address or form holds a NUL character (U+0000), which is never valid."


def test_a_nul_character_on_a_page_still_gets_the_friendly_page(client) -> None:
    response = client.get("/s/dover%00town")
    assert response.status_code == 400
    assert "The request could not be understood. Please go back and try again." in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/v1/responses", "/api/v1/codebook"])
def test_a_campaign_outside_the_community_chosen_is_refused_not_an_empty_page(
    client, make_campaign, bearer, path
) -> None:
    # The two filters intersect: the API answered 200 with no rows (total 0) and the codebook of nothing.
    make_campaign("dover-town")
    make_campaign("aylesham", asset_slugs=("aylesham_hall",))
    message = _message(client.get(f"{path}?campaign=dover-town&community=aylesham", headers=bearer), 400)
    assert message == (
        'The campaign "dover-town" is of the community "dover-town", which is not among the communities chosen '
        '("aylesham"): choose the campaign alone, or its community too.'
    )
    assert client.get(f"{path}?campaign=dover-town&community=dover-town", headers=bearer).status_code == 200


def test_the_web_export_refuses_a_campaign_outside_the_community_chosen(app, admin, make_campaign) -> None:
    # A queued (SPSS) export of them ran, and wrote a file of 0 responses.
    make_campaign("dover-town")
    make_campaign("aylesham", asset_slugs=("aylesham_hall",))
    data = {"format": "sav", "content": "both", "campaign": "dover-town", "community": "aylesham"}
    refused = post_form(admin, "/research/exports", "/research/exports", data)
    assert refused.status_code == 400
    assert "which is not among the communities chosen (&#34;aylesham&#34;)" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ExportJob.id))) == 0
    accepted = post_form(admin, "/research/exports", "/research/exports", {**data, "community": "dover-town"})
    assert accepted.status_code == 303

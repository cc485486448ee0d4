"""The API's codebook and its refusal of unknown query parameters (issue 13, point 6)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import instruments
from survey.extensions import db
from survey.models import Campaign, DataAccess
from tests.helpers import bearer_for

RESEARCHER = "rita@example.org"


@pytest.fixture
def bearer(app, make_user, make_campaign) -> dict[str, str]:
    make_campaign("dover-town")
    make_campaign("aylesham", asset_slugs=("aylesham_hall",), wave=2)
    make_user(RESEARCHER, "researcher")
    return bearer_for(app, RESEARCHER)


def test_the_codebook_describes_every_variable_with_its_codes_and_versions(app, client, bearer):
    reply = client.get("/api/v1/codebook?campaign=dover-town", headers=bearer)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    body = reply.get_json()
    variables = {row["variable"]: row for row in body["variables"] if row["file"] == "responses.csv"}
    wemwbs = instruments.get("wemwbs")
    item = wemwbs.items[0]
    assert variables[item.key]["label"] == item.text
    assert variables[item.key]["value_labels"] == {str(option.code): option.label for option in item.options}
    assert variables[item.key]["instrument"] == "wemwbs" and variables[item.key]["version"] == str(wemwbs.version)
    for column in ("status", "started_at", "duration_seconds", "pages_saved", "resumed", "wave", "interviewer"):
        assert variables[column]["label"], column
    assert variables["resumed"]["value_labels"] == {"0": "not resumed", "1": "resumed with a resume code"}
    # Only the asked campaign's assets; the other community's never appear.
    assert "asset_dover_library" in variables and "asset_aylesham_hall" not in variables
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
        frozen = {link.instrument_version.key: link.instrument_version.version for link in campaign.instruments}
        [entry] = db.session.scalars(select(DataAccess)).all()
    assert body["instrument_versions"] == {"dover-town": frozen}
    assert body["definition_versions"]["wemwbs"] == wemwbs.version
    assert (entry.resource, entry.filters, entry.row_count) == (
        "api:codebook",
        {"campaign": "dover-town", "community": None},
        len(body["variables"]),
    )


@pytest.mark.parametrize(
    ("path", "takes"),
    [
        ("/api/v1/responses?verified=1", "campaign, community, cursor, limit, verified_only"),
        ("/api/v1/communities?verified=1", "no query parameters"),
        ("/api/v1/codebook?campaign=dover-town&verified=1", "campaign, community"),
        ("/api/v1/openapi.json?verified=1", "no query parameters"),
    ],
)
def test_an_unknown_query_parameter_answers_400_naming_it(app, client, bearer, path, takes):
    reply = client.get(path, headers=bearer)
    assert reply.status_code == 400 and reply.mimetype == "application/json"
    message = reply.get_json()["error"]["message"]
    assert message == f'unknown query parameter(s): "verified" (this endpoint takes {takes})'
    with app.app_context():
        assert db.session.scalars(select(DataAccess)).all() == []  # refused before any data was read


def test_several_unknown_parameters_are_all_named_and_a_stranger_learns_nothing(client, bearer):
    reply = client.get("/api/v1/assets?zeta=1&alpha=2&community=dover-town", headers=bearer)
    assert reply.get_json()["error"] == {
        "status": 400,
        "message": 'unknown query parameter(s): "alpha", "zeta" (this endpoint takes community)',
    }
    assert client.get("/api/v1/assets?zeta=1").status_code == 401
    # A client's names are shown bounded (red team 7: a 100 KB name, or 2,000 of them, came back whole).
    many = "&".join(f"p{number:04d}=1" for number in range(2000)) + "&" + "x" * 100_000 + "=1"
    message = client.get(f"/api/v1/assets?{many}", headers=bearer).get_json()["error"]["message"]
    assert len(message) < 300 and message.endswith('"p0004" and 1,996 more (this endpoint takes community)')


def test_campaigns_carry_their_wave(client, bearer):
    waves = {row["slug"]: row["wave"] for row in client.get("/api/v1/campaigns", headers=bearer).get_json()["data"]}
    assert waves == {"dover-town": 1, "aylesham": 2}


def test_the_codebook_carries_the_missing_data_codes_the_stems_and_the_stata_names(client, bearer):
    """What the export's codebook learned after the endpoint was written (issue 13, points 2, 3, 5) is here too."""
    body = client.get("/api/v1/codebook?campaign=dover-town", headers=bearer).get_json()
    codes = [(row["variable"], row["codes"]) for row in body["variables"] if row["file"] == "(missing-data codes)"]
    # The scheme, written out here rather than read from analysis.columns.
    assert codes == [
        (reason, f"SPSS user-missing and CSV/xlsx code {code}; Stata .{letter}")
        for reason, code, letter in (
            ("not_asked", -1, "a"),
            ("skipped", -2, "b"),
            ("multiple", -3, "c"),
            ("declined", -4, "d"),
            ("dont_know", -5, "e"),
        )
    ]
    variables = {row["variable"]: row for row in body["variables"] if row["file"] == "responses.csv"}
    assert variables["sixways_connect_1"]["stem"] == "In the past two weeks, how often have you..."
    assert variables["wemwbs_1"]["missing_codes"] == "codes -1 to -5, Stata .a to .e (see the missing-data codes)"
    assert variables["wemwbs"]["missing_codes"] == variables["status"]["missing_codes"] == ""
    assert variables["asset_dover_library_value"]["stata_name"] == "value_dover_library"
    assert variables["status"]["codes"] == "complete; partial (SPSS and Stata: 1 = complete, 2 = partial)"
    assert variables["mode"]["codes"] == (
        "online; interview; paper (SPSS and Stata: 1 = online, 2 = interview, 3 = paper)"
    )

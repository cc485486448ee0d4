"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json.

Written as Python data so it sits beside the code it describes. The response-row schema is
built from the instrument definitions and the dataset format (`analysis.dataset`), so a new item
or score cannot be left out of it; page sizes come from the app's settings.
"""

from __future__ import annotations

from typing import Any

import instruments
from analysis.codebook import CODEBOOK_COLUMNS
from analysis.columns import (
    DEMOGRAPHIC_COLUMNS,
    MODES,
    RESPONSE_STATUSES,
    kind_columns,
    ons4_items,
    sixways_items,
    wemwbs_items,
)
from survey.models import ASSET_KINDS, CAMPAIGN_STATUSES, SAMPLING_METHODS, SIXWAYS_DIMENSIONS

JSON = "application/json"
NULLABLE_STRING = {"type": ["string", "null"]}

DESCRIPTION = """\
Read-only JSON API of the community wellbeing survey platform, for researchers and administrators.

**Tokens.** Create a token at `/account/tokens` in the web app (signed in); it is shown once.
Send it as `Authorization: Bearer <token>`. Only its SHA-256 is stored. Revoke it on the same page.
Every token expires: its owner chooses 7, 30, 90 (the default), 180 or 365 days when creating it, and
the page lists each token's expiry. An expired token answers 401 with
`WWW-Authenticate: Bearer realm="survey-api", error="invalid_token", error_description="The access token
expired"` (RFC 6750): create a new token. A missing, unknown or revoked token, or one whose account is
deactivated, also answers 401 (`error="invalid_token"` whenever a token was sent); a token whose
account is a peer researcher answers 403 (the research data is for researchers and administrators,
as on the web pages). The session cookie is never used here, so no CSRF token is needed.

**Rate limit.** Requests are limited per token (per address without one); over the limit answers 429.

**Errors.** Every error is JSON: `{"error": {"status": 400, "message": "..."}}`. A query parameter an
operation does not list answers 400 naming it (`unknown query parameter(s): verified`), never ignored.

**Responses.** `/api/v1/responses` pages through complete responses in the analysis dataset's format
(`docs/codebook.md`): item answers, asset answers (`asset_<slug>`, `asset_<slug>_value`, which vary by
campaign) and the scores, computed by the scoring library on complete cases. Practice campaigns never
appear. Pass `next_cursor` back as `cursor` with the same filters until it is null. Each page is read
from one snapshot; `total` counts every response the filters match at that moment.
Each row carries the paradata (`status`, `started_at`, `duration_seconds`, `pages_saved`, `resumed`,
`wave`, and `interviewer`, `keyer`, `second_keyer` as staff pseudonyms, never names).
Contact details are never part of the API.

**Codebook.** `/api/v1/codebook` describes every variable (label, the question's stem, type, codes, value
labels, instrument and version, source, licence, SPSS and Stata names, whether it carries missing-data
codes) of the chosen campaigns' responses, with the instrument versions each campaign froze when it
opened; the rows of file `(missing-data codes)` give the one scheme (-1 not asked ... -5 don't know;
Stata .a ... .e).

**Governance.** Every read (except this document) is logged with who, what, which filters and how
many rows. HEAD answers the headers alone and is not logged; OPTIONS answers 204 with `Allow`.
"""


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}


COMMON_ERRORS = {
    "401": _error_response("No token, or a token that is unknown, revoked, expired or of a deactivated account."),
    "403": _error_response("The token's account is not a researcher or administrator."),
    "429": _error_response("Too many requests for this token."),
}
BAD_REQUEST = {
    "400": _error_response(
        "A parameter is not valid (unknown slug, bad limit or cursor, a campaign outside the community chosen),"
        " given twice, or not known at all."
    )
}


def _list_of(schema: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data"],
        "additionalProperties": False,
        "properties": {"data": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _item_schema(item: instruments.Item) -> dict[str, Any]:
    codes = item.codes if item.type == "choice" else ()
    low, high = (min(codes), max(codes)) if codes else (item.min, item.max)
    schema: dict[str, Any] = {"type": ["integer", "null"], "description": item.text}
    if low is not None:
        schema["minimum"] = low
    if high is not None:
        schema["maximum"] = high
    return schema


def _score_schema(rule: instruments.ScoringRule) -> dict[str, Any]:
    # Sums of codes are whole numbers; means and the SWEMWBS conversion table are not.
    kind = "integer" if rule.method == "sum" else "number"
    low, high = rule.range
    return {"type": [kind, "null"], "minimum": low, "maximum": high, "description": rule.label}


def paradata_schema() -> dict[str, Any]:
    """The paradata properties of a response row (`analysis.paradata`); null = not recorded."""
    count = {"type": ["integer", "null"], "minimum": 0}
    pseudonym = {"type": ["string", "null"], "description": "Staff pseudonym (never a name); null if none."}
    return {
        "status": {"type": "string", "enum": list(RESPONSE_STATUSES)},
        "started_at": {"type": ["string", "null"], "format": "date-time"},
        "duration_seconds": {**count, "description": "submitted_at minus started_at."},
        "pages_saved": count,
        "resumed": {"type": ["integer", "null"], "enum": [0, 1, None], "description": "1: came back with a code."},
        "wave": {"type": ["integer", "null"], "minimum": 1, "description": "The campaign's round (1 = first)."},
        "interviewer": pseudonym,
        "keyer": pseudonym,
        "second_keyer": pseudonym,
    }


def response_row_schema() -> dict[str, Any]:
    """One complete response as the dataset has it; asset columns are the additional properties."""
    properties: dict[str, Any] = {
        "response_id": {"type": "string", "description": "Public id of the response (random)."},
        "community": {"type": "string"},
        "campaign": {"type": "string"},
        "mode": {"type": "string", "enum": list(MODES)},
        "verified": {"type": "integer", "enum": [0, 1], "description": "0 while a paper form awaits double entry."},
        "submitted_at": {"type": "string", "format": "date-time"},
        **paradata_schema(),
    }
    demographics = instruments.get("demographics")
    for key in DEMOGRAPHIC_COLUMNS:
        properties[key] = _item_schema(demographics.item(key))
    for instrument_key, keys in (("ons4", ons4_items()), ("wemwbs", wemwbs_items()), ("sixways", sixways_items())):
        instrument = instruments.get(instrument_key)
        for key in keys:
            properties[key] = _item_schema(instrument.item(key))
    for instrument_key in ("wemwbs", "swemwbs", "sixways"):
        for rule in instruments.get(instrument_key).scoring:
            properties[rule.name] = _score_schema(rule)
    for column in kind_columns():
        properties[column] = {"type": ["integer", "null"], "minimum": 0}
    return {
        "type": "object",
        "description": "Columns as in responses.csv (docs/codebook.md). Asset columns `asset_<slug>` (use, "
        "0-4) and `asset_<slug>_value` (importance, 1-5) depend on the campaigns asked.",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": {"type": ["integer", "null"], "minimum": 0, "maximum": 5},
    }


def codebook_schema() -> dict[str, Any]:
    """The codebook: its rows carry every column the codebook builder has (at least these)."""
    text = {"type": "string"}
    versions = {"type": "object", "additionalProperties": {"type": "integer"}}
    return {
        "type": "object",
        "required": ["variables", "instrument_versions", "definition_versions"],
        "additionalProperties": False,
        "properties": {
            "variables": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [*CODEBOOK_COLUMNS, "value_labels"],
                    "properties": {
                        **{column: text for column in CODEBOOK_COLUMNS},
                        "value_labels": {
                            "type": ["object", "null"],
                            "additionalProperties": text,
                            "description": "Code -> label for a coded variable of responses; null otherwise.",
                        },
                    },
                    "additionalProperties": text,
                },
            },
            "instrument_versions": {
                "type": "object",
                "additionalProperties": versions,
                "description": "Per campaign (slug), the instrument versions it froze when it opened.",
            },
            "definition_versions": {**versions, "description": "Current version of each instrument definition."},
        },
    }


def _schemas() -> dict[str, Any]:
    timestamp = {"type": "string", "format": "date-time"}
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["status", "message"],
                    "additionalProperties": False,
                    "properties": {
                        "status": {"type": "integer", "minimum": 400, "maximum": 599},
                        "message": {"type": "string"},
                    },
                }
            },
        },
        "Community": {
            "type": "object",
            "required": ["slug", "name", "created_at"],
            "additionalProperties": False,
            "properties": {"slug": {"type": "string"}, "name": {"type": "string"}, "created_at": timestamp},
        },
        "Campaign": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "slug",
                "title",
                "community",
                "status",
                "practice",
                "instruments",
                "assets",
                "opens_on",
                "closes_on",
                "opened_at",
                "closed_at",
                "target_sample_size",
                "population_size",
                "population_source",
                "sampling_method",
                "wave",
            ],
            "properties": {
                "slug": {"type": "string"},
                "title": {"type": "string"},
                "community": {"type": "string", "description": "Community slug."},
                "status": {"type": "string", "enum": list(CAMPAIGN_STATUSES)},
                "practice": {"type": "boolean", "description": "Training run: its responses never appear."},
                "instruments": {"type": "array", "items": {"type": "string"}},
                "assets": {"type": "array", "items": {"type": "string"}, "description": "Asset slugs asked."},
                "opens_on": {"type": ["string", "null"], "format": "date"},
                "closes_on": {"type": ["string", "null"], "format": "date"},
                "opened_at": {"type": ["string", "null"], "format": "date-time"},
                "closed_at": {"type": ["string", "null"], "format": "date-time"},
                "target_sample_size": {"type": ["integer", "null"]},
                "population_size": {
                    "type": ["integer", "null"],
                    "description": "Residents in the surveyed ages (16+ by default) the sample represents.",
                },
                "population_source": NULLABLE_STRING,
                "sampling_method": {
                    "type": ["string", "null"],
                    "enum": [*SAMPLING_METHODS, None],
                    "description": "random: users scaled to the population; quota: scaled with a warning; "
                    "convenience: surveyed users only.",
                },
                "wave": {"type": "integer", "minimum": 1, "description": "Round of a repeat survey (1 = first)."},
            },
        },
        "Asset": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "slug",
                "name",
                "kind",
                "community",
                "description",
                "location",
                "postcode",
                "latitude",
                "longitude",
                "annual_cost",
                "cost_year",
                "sixways_dimensions",
                "retired",
                "created_at",
                "updated_at",
            ],
            "properties": {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "kind": {"type": "string", "enum": list(ASSET_KINDS)},
                "community": {"type": "string", "description": "Community slug."},
                "description": {"type": "string"},
                "location": {"type": "string"},
                "postcode": {"type": "string", "description": "UK postcode in capitals with one space, or empty."},
                "latitude": {"type": ["number", "null"], "minimum": -90, "maximum": 90, "description": "WGS 84."},
                "longitude": {"type": ["number", "null"], "minimum": -180, "maximum": 180, "description": "WGS 84."},
                "annual_cost": {"type": ["number", "null"], "minimum": 0, "description": "Pounds a year."},
                "cost_year": {
                    "type": ["integer", "null"],
                    "minimum": 1900,
                    "maximum": 2100,
                    "description": "Price year of annual_cost (null: not recorded).",
                },
                "sixways_dimensions": {"type": "array", "items": {"type": "string", "enum": list(SIXWAYS_DIMENSIONS)}},
                "retired": {"type": "boolean"},
                "created_at": timestamp,
                "updated_at": timestamp,
            },
        },
        "ResponseRow": response_row_schema(),
        "Codebook": codebook_schema(),
        "CommunityList": _list_of("Community"),
        "CampaignList": _list_of("Campaign"),
        "AssetList": _list_of("Asset"),
        "ResponsePage": {
            "type": "object",
            "required": ["data", "next_cursor", "total"],
            "additionalProperties": False,
            "properties": {
                "data": {"type": "array", "items": {"$ref": "#/components/schemas/ResponseRow"}},
                "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor`; null on the last page."},
                "total": {"type": "integer", "minimum": 0, "description": "Responses the filters match."},
            },
        },
    }


_SLUG_SCHEMA = {"type": "string", "maxLength": 60}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _community_filter(what: str) -> dict[str, Any]:
    return _query("community", f"Only {what} of this community (slug); unknown slugs answer 400.", _SLUG_SCHEMA)


def _list_operation(operation_id: str, summary: str, schema: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": summary, "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}},
        **COMMON_ERRORS,
    }
    responses.update(BAD_REQUEST)  # every operation refuses unknown query parameters
    operation = {"summary": summary, "operationId": operation_id, "parameters": parameters}
    return {"get": {**operation, "responses": dict(sorted(responses.items()))}}


def openapi_document(page_size: int, max_page_size: int) -> dict[str, Any]:
    """The whole document; `page_size` and `max_page_size` are API_PAGE_SIZE and API_MAX_PAGE_SIZE."""
    limit = {"type": "integer", "minimum": 1, "maximum": max_page_size, "default": min(page_size, max_page_size)}
    responses_parameters = [
        _query("campaign", "Only this campaign (slug); unknown or practice campaigns answer 400.", _SLUG_SCHEMA),
        _community_filter("responses"),
        _query(
            "verified_only",
            "Leave out paper forms awaiting double entry or with unresolved differences.",
            {"type": "boolean", "default": False},
        ),
        _query("limit", "Responses per page.", limit),
        _query(
            "cursor", "`next_cursor` of the previous page, with the same filters.", {"type": "string", "maxLength": 200}
        ),
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Community wellbeing survey API", "version": "1.0.0", "description": DESCRIPTION},
        "security": [{"bearerAuth": []}],
        "paths": {
            "/api/v1/communities": _list_operation("listCommunities", "Communities", "CommunityList", []),
            "/api/v1/campaigns": _list_operation(
                "listCampaigns",
                "Campaigns, practice runs included (marked)",
                "CampaignList",
                [_community_filter("campaigns")],
            ),
            "/api/v1/assets": _list_operation(
                "listAssets", "The asset log", "AssetList", [_community_filter("assets")]
            ),
            "/api/v1/responses": _list_operation(
                "listResponses",
                "Complete responses with scores, a page at a time",
                "ResponsePage",
                responses_parameters,
            ),
            "/api/v1/codebook": _list_operation(
                "getCodebook",
                "The codebook of the responses' variables (all campaigns, or the one asked for)",
                "Codebook",
                [
                    _query(
                        "campaign",
                        "Only this campaign's variables (slug); practice campaigns answer 400.",
                        _SLUG_SCHEMA,
                    ),
                    _community_filter("variables of the campaigns"),
                ],
            ),
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "security": [],
                    "responses": {
                        "200": {"description": "OpenAPI 3.1", "content": {JSON: {"schema": {"type": "object"}}}},
                        **BAD_REQUEST,
                        "429": COMMON_ERRORS["429"],
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API token from /account/tokens."}
            },
            "schemas": _schemas(),
        },
    }

"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json.

Written as Python data so it sits beside the code it describes; the component schemas (each
endpoint's rows) are in `schemas.py`; page sizes come from the app's settings.
"""

from __future__ import annotations

from typing import Any

from survey.datasets.api.schemas import component_schemas

JSON = "application/json"

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
            "schemas": component_schemas(),
        },
    }

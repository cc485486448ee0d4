"""The OpenAPI document's component schemas: the rows each endpoint answers with.

The response-row schema is built from the instrument definitions and the dataset format
(`analysis.dataset`), so a new item or score cannot be left out of it.
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

NULLABLE_STRING = {"type": ["string", "null"]}


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


def component_schemas() -> dict[str, Any]:
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

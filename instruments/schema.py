"""JSON Schema (draft 2020-12) for instrument definition files and stored snapshots.

The schema checks shape and types; cross-field rules (unknown items in a scoring rule, lookup
tables covering the range, ...) are checked in `instruments.checks`.
"""

from __future__ import annotations

from typing import Any

# Column names end up in CSV, SPSS and Stata files: lower-case letters, digits and underscores.
KEY_PATTERN = "^[a-z][a-z0-9_]*$"
TEMPLATE_KEY_PATTERN = "^[a-z][a-z0-9_]*\\{slug\\}[a-z0-9_]*$"

_TEXT = {"type": "string", "minLength": 1}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}

# "type" lists "null" so a snapshot can say options: null for non-choice items; minItems and
# items only apply to arrays. (No oneOf: its errors would hide the field that is wrong.)
_OPTION_LIST: dict[str, Any] = {
    "type": ["array", "null"],
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "label"],
        "additionalProperties": False,
        "properties": {"code": {"type": "integer"}, "label": _TEXT},
    },
}


def _item(key_pattern: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["key", "text", "type", "required"],
        "additionalProperties": False,
        "properties": {
            "key": {"type": "string", "pattern": key_pattern, "maxLength": 64},
            "text": _TEXT,
            "type": {"enum": ["choice", "integer", "text"]},
            "options": _OPTION_LIST,
            "required": {"type": "boolean"},
            "min": _NULLABLE_INT,
            "max": _NULLABLE_INT,
            "max_length": {"type": ["integer", "null"], "minimum": 1},
            "pattern": _NULLABLE_TEXT,
            "pattern_message": _NULLABLE_TEXT,
            # A forced-choice yes/no asked first; "No" records the item's first code (see model.Item).
            "screener": _NULLABLE_TEXT,
            # Offer "Prefer not to say", stored as a missing reason, never as an option code.
            "prefer_not_to_say": {"type": "boolean"},
        },
    }


_RULE: dict[str, Any] = {
    "type": "object",
    "required": ["name", "method", "range", "label"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": KEY_PATTERN, "maxLength": 64},
        "method": {"enum": ["sum", "mean", "lookup"]},
        "items": {"type": ["array", "null"], "minItems": 1, "items": {"type": "string"}},
        "source": _NULLABLE_TEXT,
        # Keys are raw totals: ints in YAML, strings in JSON snapshots; checks.py checks them.
        "table": {"type": ["object", "null"], "additionalProperties": {"type": "number"}},
        "decimals": {"type": ["integer", "null"], "minimum": 0, "maximum": 10},
        "range": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}},
        "label": _TEXT,
        "reference": _NULLABLE_TEXT,
    },
}

DEFINITION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Survey instrument definition",
    "type": "object",
    "required": [
        "key",
        "version",
        "title",
        "stem",
        "source",
        "licence",
        "project_own",
        "estimated_seconds_per_item",
        "missing",
        "items",
        "scoring",
    ],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "pattern": KEY_PATTERN, "maxLength": 64},
        "version": {"type": "integer", "minimum": 1},
        "title": _TEXT,
        "stem": {"type": "string"},
        "source": _TEXT,
        "licence": {
            "type": "object",
            "required": ["notice", "registration_required", "terms"],
            "additionalProperties": False,
            "properties": {
                "notice": _NULLABLE_TEXT,
                "registration_required": {"type": "boolean"},
                "terms": _TEXT,
            },
        },
        "project_own": {"type": "boolean"},
        "estimated_seconds_per_item": {"type": "integer", "minimum": 1},
        "missing": {
            "type": "object",
            "required": ["rule", "note"],
            "additionalProperties": False,
            "properties": {
                "rule": {"enum": ["complete_cases"]},
                "note": _TEXT,
                "prorate_max_missing": {
                    "type": "object",
                    "additionalProperties": {"type": "integer", "minimum": 0},
                },
            },
        },
        # Default options for choice items that have none of their own. Not kept after loading:
        # every choice item then carries its own options.
        "options": {**_OPTION_LIST, "type": "array"},
        "items": {"type": "array", "items": _item(KEY_PATTERN)},
        "item_templates": {"type": "array", "items": _item(TEMPLATE_KEY_PATTERN)},
        "scoring": {"type": "array", "items": _RULE},
    },
}

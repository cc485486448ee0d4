"""An asset's fields: one check per column, so the asset form and the CSV import give the same
reason for the same mistake, and the labels the pages show for its kinds and six-ways dimensions."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from survey.models import (
    ASSET_KINDS,
    ASSET_SLUG_PATTERN,
    POSTCODE_PATTERN,
    QUESTION_PHRASE_MAX,
    SIXWAYS_DIMENSIONS,
    default_question_phrase,
)
from survey.web.fields import whole_number

KIND_LABELS = {
    "community_group": "Community group",
    "individual": "Individual",
    "place": "Place",
    "voluntary_org": "Voluntary organisation",
    "other": "Other",
}
DIMENSION_LABELS = {
    "connect": "Connect",
    "be_active": "Be active",
    "keep_learning": "Keep learning",
    "take_notice": "Take notice",
    "give": "Give",
    "care": "Care",
}
NAME_MAX, LOCATION_MAX, DESCRIPTION_MAX, RUN_BY_MAX = 200, 300, 5000, 200
COST_MAX = Decimal("9999999999.99")  # Numeric(12, 2)
COST_YEAR_MIN, COST_YEAR_MAX = 1900, 2100  # as the model's check constraint


@dataclass(frozen=True)
class AssetFields:
    """One asset's checked values, as the form or a CSV row gives them."""

    slug: str
    name: str
    kind: str
    description: str = ""
    location: str = ""
    annual_cost: float | None = None
    cost_year: int | None = None
    sixways_dimensions: tuple[str, ...] = ()
    # How residents are asked: "Do you <question_phrase> <name>?"; blank in a form or file = the kind's default.
    question_phrase: str = ""
    run_by: str = ""  # who runs it (a council team, a charity, volunteers); optional
    # Where it is (WGS 84 decimal degrees, both or neither) and its postcode; all optional.
    latitude: float | None = None
    longitude: float | None = None
    postcode: str = ""


ASSET_COLUMNS = tuple(field.name for field in fields(AssetFields))


# --- One check per column: each takes what was typed and returns the clean value or raises ValueError.


def check_slug(raw: Any) -> str:
    """An asset slug: it becomes the variable name `asset_<slug>` in every export."""
    slug = stripped(raw)
    if not slug:
        raise ValueError("Enter a web address, like dover_library.")
    if not re.match(ASSET_SLUG_PATTERN, slug):
        raise ValueError("Use 1 to 26 characters: lower-case letters a-z, digits 0-9 and underscores.")
    if slug.endswith("_value"):
        raise ValueError("A web address cannot end in _value: that ending names the importance question in the data.")
    return slug


def check_name(raw: Any) -> str:
    """An asset name: required, at most 200 characters."""
    name = stripped(raw)
    if not name:
        raise ValueError("Enter a name.")
    if len(name) > NAME_MAX:
        raise ValueError(f"Use at most {NAME_MAX} characters.")
    return name


def check_kind(raw: Any) -> str:
    """One of the asset kinds in the model."""
    kind = stripped(raw)
    if kind not in ASSET_KINDS:
        raise ValueError(f"Choose one of: {', '.join(ASSET_KINDS)}.")
    return kind


def check_description(raw: Any) -> str:
    """Free text, at most 5000 characters."""
    return _limited(raw, DESCRIPTION_MAX)


def check_location(raw: Any) -> str:
    """Free text, at most 300 characters."""
    return _limited(raw, LOCATION_MAX)


def check_run_by(raw: Any) -> str:
    """Who runs the asset: free text, at most 200 characters."""
    return _limited(raw, RUN_BY_MAX)


def check_annual_cost(raw: Any) -> float | None:
    """Pounds a year; blank means unknown. A leading £ and thousands commas are accepted."""
    text = stripped(raw).replace(",", "").removeprefix("£").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("Enter an amount in pounds, like 1200 or 1200.50, or leave it blank.") from None
    if not amount.is_finite():
        raise ValueError("Enter an amount in pounds, like 1200 or 1200.50, or leave it blank.")
    if amount < 0:
        raise ValueError("The annual cost cannot be negative.")
    if amount > COST_MAX or amount != amount.quantize(Decimal("0.01")):
        raise ValueError("Enter pounds and pence with at most two decimal places, below £10 billion.")
    return float(amount)


def check_cost_year(raw: Any) -> int | None:
    """The price year of the annual cost (e.g. 2024 for a 2024/25 budget's pounds); blank means unknown."""
    text = stripped(raw)
    if not text:
        return None
    year = whole_number(text)
    if year is None or not COST_YEAR_MIN <= year <= COST_YEAR_MAX:
        raise ValueError(
            f"Enter the year the cost is priced in, like 2024 ({COST_YEAR_MIN}-{COST_YEAR_MAX}), or leave it blank."
        )
    return year


def check_dimensions(raw: Any) -> tuple[str, ...]:
    """Six-ways dimensions: a list, or text separated by semicolons (as in the CSV)."""
    if isinstance(raw, str):
        values = [part.strip() for part in raw.split(";")]
    else:
        values = [stripped(part) for part in (raw or [])]
    values = [value for value in values if value]
    unknown = [value for value in values if value not in SIXWAYS_DIMENSIONS]
    if unknown:
        raise ValueError(f"Unknown dimension(s) {', '.join(unknown)}; use: {', '.join(SIXWAYS_DIMENSIONS)}.")
    # Stored in the catalogue order, once each, so equal sets compare equal.
    return tuple(dimension for dimension in SIXWAYS_DIMENSIONS if dimension in values)


def check_question_phrase(raw: Any) -> str:
    """The verb in "Do you go to Swanley Park?": a few plain words, or blank for the kind's default."""
    phrase = " ".join(stripped(raw).split())
    if len(phrase) > QUESTION_PHRASE_MAX:
        raise ValueError(f"Use at most {QUESTION_PHRASE_MAX} characters, like go to, take part in or see.")
    if phrase and not re.fullmatch(r"[A-Za-z][A-Za-z' -]*", phrase):
        raise ValueError("Use words only, like go to, take part in or see.")
    return phrase


def check_latitude(raw: Any) -> float | None:
    """Degrees north (negative: south) of the equator, -90 to 90; blank means not on the map."""
    return _degrees(
        raw, 90, "Enter the latitude in decimal degrees between -90 and 90, like 51.1247, or leave it blank."
    )


def check_longitude(raw: Any) -> float | None:
    """Degrees east (negative: west) of Greenwich, -180 to 180; blank means not on the map."""
    return _degrees(
        raw, 180, "Enter the longitude in decimal degrees between -180 and 180, like 1.3133, or leave it blank."
    )


def _degrees(raw: Any, limit: int, message: str) -> float | None:
    text = stripped(raw)
    if not text:
        return None
    try:
        degrees = Decimal(text)
    except InvalidOperation:
        raise ValueError(message) from None
    if not degrees.is_finite() or not -limit <= degrees <= limit:
        raise ValueError(message)
    return float(degrees)


def check_postcode(raw: Any) -> str:
    """A UK postcode, checked loosely and written in capitals with one space ("CT17 9DQ"); blank is fine."""
    text = "".join(stripped(raw).split()).upper()
    if not text:
        return ""
    if not re.match(POSTCODE_PATTERN, text):
        raise ValueError("Enter a UK postcode, like CT17 9DQ, or leave it blank.")
    # The inward code is always the last three characters: the space goes before it.
    return f"{text[:-3]} {text[-3:]}"


COLUMN_CHECKS: dict[str, Callable[[Any], Any]] = {
    "slug": check_slug,
    "name": check_name,
    "kind": check_kind,
    "description": check_description,
    "location": check_location,
    "annual_cost": check_annual_cost,
    "cost_year": check_cost_year,
    "sixways_dimensions": check_dimensions,
    "question_phrase": check_question_phrase,
    "run_by": check_run_by,
    "latitude": check_latitude,
    "longitude": check_longitude,
    "postcode": check_postcode,
}
# A point needs both coordinates: the message goes beside the one left blank.
MISSING_COORDINATE = {
    "latitude": "Enter the latitude as well as the longitude, or leave both blank.",
    "longitude": "Enter the longitude as well as the latitude, or leave both blank.",
}


def clean_asset(raw: Mapping[str, Any]) -> tuple[AssetFields | None, dict[str, str]]:
    """Run every column check; returns the clean fields, or None and {column: reason}."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for column, check in COLUMN_CHECKS.items():
        try:
            values[column] = check(raw.get(column))
        except ValueError as error:
            problems[column] = str(error)
    for column, other in (("latitude", "longitude"), ("longitude", "latitude")):
        if column not in problems and values.get(column) is None and values.get(other) is not None:
            problems[column] = MISSING_COORDINATE[column]
    if problems:
        return None, problems
    values["question_phrase"] = values["question_phrase"] or default_question_phrase(values["kind"])
    return AssetFields(**values), {}


def stripped(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw).strip())


def _limited(raw: Any, limit: int) -> str:
    text = stripped(raw)
    if len(text) > limit:
        raise ValueError(f"Use at most {limit} characters.")
    return text

"""``datapackage.json``: every export zip described as a Frictionless Data Package (issue 13, point 5).

A Tabular Data Package (Frictionless v1 specification, https://specs.frictionlessdata.io/) whose
resources are the zip's CSV files, each with a Table Schema built from the codebook: field types,
constraints (codes, ranges), value labels (Table Schema v2 ``categories``, which v1 readers ignore),
the missing values in use, the licences and the instruments' sources. In an xlsx, sav or dta export
only ``adjustments.csv`` and ``codebook.csv`` are CSV: the package describes those, and its
``description`` says where the data files' own metadata lives (codebook, provenance.json). Written
by us, not by the `frictionless` library (a test validates every package with it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import pandas as pd

import instruments
from analysis.columns import ASSET_KINDS, MISSING_REASON_CODES, MODES, RESPONSE_STATUSES
from survey.datasets.codebooks import MISSING_FILE

# Codebook type -> Table Schema type (``score (...)`` types are numbers).
FIELD_TYPES = {
    "text": "string",
    "category": "string",
    "0/1": "integer",
    "datetime": "datetime",
    "code": "integer",
    "integer": "integer",
    "number": "number",
    "count": "integer",
    "date": "date",
}
ENUMS: dict[str, tuple[str, ...]] = {"mode": MODES, "status": RESPONSE_STATUSES, "kind": ASSET_KINDS}
CSV_TABLES = ("responses", "assets", "campaigns", "adjustments")
# The located assets (`survey.datasets.asset_geojson`): a plain data resource, not a table.
GEOJSON_RESOURCE = {
    "name": "asset-places",
    "path": "assets.geojson",
    "profile": "data-resource",
    "title": "Where the assets are",
    "description": "The exported assets that have a latitude and longitude, as an RFC 7946 GeoJSON "
    "FeatureCollection: Point geometries [longitude, latitude] in WGS 84; properties slug, name, kind, "
    "community, location, postcode (user_share and evidence are null: they belong to an analysis run).",
    "format": "geojson",
    "mediatype": "application/geo+json",
    "encoding": "utf-8",
}
LICENCE = {
    "name": "LicenseRef-survey-research-data",
    "title": "Research data of the community wellbeing study: for the study team and its partners under "
    "their data-sharing agreement, not for publication; each instrument's own licence is in the codebook",
}


def datapackage(
    book: pd.DataFrame,
    labels: Mapping[str, Mapping[int, str]],
    headers: Mapping[str, list[str]],
    *,
    format: str,
    missing: str,
    value_labels: str,
    record: Mapping[str, Any],
) -> bytes:
    """The package as JSON bytes. `book`: the export's codebook; `labels`: {column: {code: label}};
    `headers`: {table: its CSV header} (optional columns appear only where the file has them)."""
    coded_missing = [str(code) for code in MISSING_REASON_CODES.values()]
    missing_labels = [labels_of_missing(labels)] if value_labels == "labels" else []
    resources: list[dict[str, Any]] = []
    tables = CSV_TABLES if format == "csv" else ("adjustments",)
    for table in tables:
        described = book[book["file"] == f"{table}.csv"].set_index("variable", drop=False)
        rows = described.reindex(headers[table]).assign(variable=headers[table]).fillna({"label": "", "type": "text"})
        responses = table == "responses"
        missing_values = [""]
        if responses and missing == "codes":
            missing_values += missing_labels[0] if missing_labels else coded_missing
        fields = [
            _field(row, labels if responses else {}, as_text=responses and value_labels == "labels")
            for row in cast(list[dict[str, Any]], rows.to_dict("records"))
        ]
        schema: dict[str, Any] = {"fields": fields, "missingValues": missing_values}
        key = {"responses": "response_id", "assets": "slug", "campaigns": "campaign"}.get(table)
        if key:
            schema["primaryKey"] = [key]
        resources.append(_resource(table, f"{table}.csv", schema))
    codebook_fields = [{"name": str(column), "type": "string"} for column in book.columns]
    resources.append(_resource("codebook", "codebook.csv", {"fields": codebook_fields, "missingValues": [""]}))
    resources.append(dict(GEOJSON_RESOURCE))
    package = {
        # Not "tabular-data-package": that profile admits tabular resources only, and assets.geojson is not one.
        "profile": "data-package",
        "name": "survey-export",
        "title": "Community wellbeing survey: dataset export",
        "description": _description(format, missing, value_labels),
        "created": record.get("exported_at", ""),
        "version": "1.0.0",
        "licenses": [LICENCE],
        "sources": _sources(book),
        "resources": resources,
    }
    return json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")


def labels_of_missing(labels: Mapping[str, Mapping[int, str]]) -> list[str]:
    """The labels of the missing-data codes, as they appear in a labelled file."""
    codes = set(MISSING_REASON_CODES.values())
    found = {label for table in labels.values() for code, label in table.items() if code in codes}
    return sorted(found)


def _field(row: Mapping[str, Any], labels: Mapping[str, Mapping[int, str]], *, as_text: bool) -> dict[str, Any]:
    name = str(row["variable"])
    kind = str(row["type"])
    field: dict[str, Any] = {
        "name": name,
        "title": str(row["label"])[:200],
        "description": " ".join(part for part in (_text(row.get("stem")), _text(row["label"])) if part),
        "type": "number" if kind.startswith("score") else FIELD_TYPES.get(kind, "string"),
    }
    constraints: dict[str, Any] = {}
    valid = {code: label for code, label in labels.get(name, {}).items() if code >= 0}
    if valid:
        field["categories"] = [{"value": code, "label": label} for code, label in valid.items()]
        if as_text:
            field["type"] = "string"
            constraints["enum"] = sorted({*valid.values(), *(str(code) for code in valid)})
        else:
            constraints["enum"] = list(valid)
    elif name in ENUMS:
        constraints["enum"] = list(ENUMS[name])
    elif name == "years_in_area":
        item = instruments.get("demographics").item(name)
        field["type"] = "string" if as_text else "integer"
        if not as_text:
            constraints.update(minimum=item.min, maximum=item.max)
    elif kind in ("count", "number") and name != "cost_year":
        constraints["minimum"] = 0
    if name in ("response_id", "slug", "campaign") and row["file"] != "adjustments.csv":
        constraints["required"] = True
    if kind == "datetime":
        field["format"] = "any"  # ISO 8601 in UTC with a trailing Z
    if constraints:
        field["constraints"] = constraints
    return field


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _resource(name: str, path: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def _sources(book: pd.DataFrame) -> list[dict[str, str]]:
    """Each instrument's citation once (the codebook keeps it on the instrument's first row)."""
    cited = book[(book["file"] != MISSING_FILE) & (book["source"].astype(str) != "")]
    return [
        {"title": f"{instrument}: {source}"}
        for instrument, source in cited.drop_duplicates("instrument")
        .loc[:, ["instrument", "source"]]
        .itertuples(index=False)
    ]


def _description(format: str, missing: str, value_labels: str) -> str:
    if format == "csv":
        data = "The CSV files hold the data; "
    else:
        data = (
            f"The data files are {format} (dataset.xlsx, or responses/assets/campaigns.{format}), described by "
            "codebook.csv and provenance.json; this package describes the zip's CSV files; "
        )
    return data + (
        f"missing answers are {'missing-data codes' if missing == 'codes' else 'blank'}, coded answers "
        f"{'labels' if value_labels == 'labels' else 'codes'} (value labels in each field's categories)."
    )

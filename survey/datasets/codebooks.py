"""What an export says about itself: its columns per content choice, Stata names, value labels, the codebook
(CSV and HTML) and the provenance record."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd

import instruments
from analysis.codebook import CODEBOOK_COLUMNS, codebook
from analysis.columns import (
    DEMOGRAPHIC_COLUMNS,
    META_COLUMNS,
    MISSING_REASON_CODES,
    MISSING_REASON_LABELS,
    PARADATA_COLUMNS,
    STATA_MISSING,
    kind_columns,
    score_columns,
)
from instruments.answers import quoted
from survey.datasets.missing_codes import all_item_columns
from survey.datasets.sources import CONTENTS, ExportError, Source, file_names
from survey.datasets.stat_names import stata_names

# Gender and employment have no order; every other coded item is an ordered scale (SPSS measure level).
NOMINAL_ITEMS = frozenset({"gender", "employment"})


VERIFIED_LABELS = {0: "not yet verified", 1: "verified"}
RESUMED_LABELS = {0: "not resumed", 1: "resumed with a resume code"}


MISSING_FILE = "(missing-data codes)"
MISSING_POINTER = "codes -1 to -5, Stata .a to .e (see the missing-data codes)"


def export_columns(columns: list[str], content: str) -> list[str]:
    """The response columns a `content` choice keeps, in file order.

    ``items``: metadata, paradata, demographics, items and asset answers; ``scores``: metadata,
    paradata, demographics (identifiers and who answered, for breakdowns), scores and
    ``assets_used_<kind>``; ``both``: every column.
    """
    if content not in CONTENTS:
        raise ExportError(f"content must be one of {', '.join(CONTENTS)}, not {quoted(content)}")
    derived = {*score_columns(), *kind_columns()}
    if content == "both":
        return list(columns)
    if content == "scores":
        kept = {*META_COLUMNS, *PARADATA_COLUMNS, *DEMOGRAPHIC_COLUMNS, *derived}
        return [column for column in columns if column in kept]
    return [column for column in columns if column not in derived]


def value_labels(columns: list[str], assets: pd.DataFrame) -> dict[str, dict[int, str]]:
    """{column: {code: label}} for every coded column, from the instrument definitions."""
    labels: dict[str, dict[int, str]] = {"verified": dict(VERIFIED_LABELS), "resumed": dict(RESUMED_LABELS)}
    for key in ("demographics", "ons4", "wemwbs", "sixways"):
        for item in instruments.get(key).items:
            if item.type == "choice":
                labels[item.key] = {option.code: option.label for option in item.options}
    for template in instruments.get("asset_use").item_templates:
        codes = {option.code: option.label for option in template.options}
        for slug in assets["slug"]:
            labels[template.key.replace("{slug}", str(slug))] = codes
    return {column: labels[column] for column in columns if column in labels}


def export_codebook(assets: pd.DataFrame, columns: list[str], format: str) -> pd.DataFrame:
    """The codebook rows of the exported files, named as they are in the zip."""
    book = codebook(assets)
    responses = book[book["file"] == "responses.csv"].set_index("variable").loc[columns].reset_index()
    tables = [book[book["file"] == f"{name}.csv"] for name in ("assets", "campaigns", "adjustments")]
    chosen = pd.concat([responses, *tables], ignore_index=True)
    chosen = chosen.loc[:, list(book.columns)]
    names = file_names(format)
    chosen["file"] = chosen["file"].map({f"{name}.csv": file for name, file in names.items()})
    # SPSS and Stata names, by the one rule of `stat_names` (adjustments.csv is always CSV).
    renamed = stata_names(columns)
    stat = [
        "" if file == names["adjustments"] else renamed.get(variable, variable)
        for file, variable in zip(chosen["file"], chosen["variable"], strict=True)
    ]
    chosen["spss_name"] = stat
    chosen["stata_name"] = stat
    items = set(all_item_columns(columns, assets))
    chosen["missing_codes"] = [
        MISSING_POINTER if file == names["responses"] and variable in items else ""
        for file, variable in zip(chosen["file"], chosen["variable"], strict=True)
    ]
    # Each instrument's citation and licence once, on its first row, not on every item.
    for column in ("source", "licence"):
        chosen.loc[chosen.duplicated(["instrument", column]), column] = ""
    return pd.concat([chosen, missing_code_rows()], ignore_index=True)


def missing_code_rows() -> pd.DataFrame:
    """The missing-data scheme as codebook rows (file ``(missing-data codes)``), one per code."""
    rows = [
        {
            "file": MISSING_FILE,
            "variable": reason,
            "label": label,
            "type": "missing-data code",
            "codes": (
                f"SPSS user-missing and CSV/xlsx code {MISSING_REASON_CODES[reason]}; Stata .{STATA_MISSING[reason]}"
            ),
            "instrument": "(dataset)",
        }
        for reason, label in MISSING_REASON_LABELS.items()
    ]
    columns = [*CODEBOOK_COLUMNS, "spss_name", "stata_name", "missing_codes"]
    return pd.DataFrame(rows).reindex(columns=columns).astype(object).fillna("")


def codebook_html(book: pd.DataFrame, provenance: Mapping[str, Any]) -> str:
    """A self-contained HTML codebook: one table per file, each instrument's source and licence once."""
    e = _escape
    shown = ["variable", "label", "stem", "type", "codes", "instrument", "version", "project_own", "stata_name"]
    parts = [
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Codebook</title>',
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
        "th,td{border:1px solid #999;padding:.3em;text-align:left;vertical-align:top}"
        "caption{font-weight:bold;text-align:left}</style></head><body>",
        "<h1>Codebook</h1>",
        f"<p>Exported {e(provenance.get('exported_at', ''))} by {e(provenance.get('exported_by', ''))}; "
        f"format {e(provenance.get('format', ''))}, content {e(provenance.get('content', ''))}. "
        "A blank cell is missing (or, where chosen, a missing-data code: see the last table). "
        "Scores are computed on complete cases, every missing-data code counting as missing.</p>",
    ]
    for file, rows in book.groupby("file", sort=False):
        parts.append(f"<h2>{e(file)}</h2><table><thead><tr>")
        parts.extend(f'<th scope="col">{e(column)}</th>' for column in shown)
        parts.append("</tr></thead><tbody>")
        for row in rows.loc[:, shown].itertuples(index=False):
            cells = [f'<th scope="row">{e(row[0])}</th>', *(f"<td>{e(value)}</td>" for value in row[1:])]
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("<h2>Instruments: sources and licences</h2><dl>")
    for instrument, rows in book[book["file"] != MISSING_FILE].groupby("instrument", sort=False):
        first = rows.iloc[0]
        version = f" version {first['version']}" if str(first["version"]) else ""
        parts.append(
            f"<dt>{e(instrument)}{e(version)}</dt><dd>Source: {e(first['source'])}</dd>"
            f"<dd>Licence: {e(first['licence'])}</dd>"
        )
    parts.append("</dl></body></html>\n")
    return "\n".join(parts)


def _escape(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _excluded(given: Mapping[str, Any]) -> str:
    filters = given.get("filters") or {}
    partial = "" if filters.get("include_partial") else "partial responses, "
    return f"practice campaigns, {partial}contact details, postcode district, free text"


def export_provenance(source: Source, given: Mapping[str, Any], format: str, content: str) -> dict[str, Any]:
    campaigns = getattr(source, "campaigns", None)
    record: dict[str, Any] = {
        "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **given,
        "format": format,
        "content": content,
        "responses_expected": int(source.total),
        "campaigns": [] if campaigns is None else [str(slug) for slug in campaigns["campaign"]],
        "instrument_versions": getattr(source, "instrument_versions", {}),
        "definition_versions": {key: item.version for key, item in sorted(instruments.catalogue().items())},
        "excluded": _excluded(given),
    }
    if format == "csv":
        record["csv_formula_guard"] = "text cells starting with = + - @ tab or CR are prefixed with '"
    if format in ("sav", "dta"):
        record["stata_renamed"] = stata_names(export_columns(source.columns, content))
    return record

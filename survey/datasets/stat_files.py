"""The export's xlsx workbook and its SPSS (.sav) and Stata (.dta) files, with labels and display formats."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import pandas as pd

import instruments
from analysis.columns import MISSING_REASON_CODES, kind_columns
from survey.datasets.codebooks import NOMINAL_ITEMS, value_labels
from survey.datasets.missing_codes import all_item_columns
from survey.datasets.sources import Progress, Source, assets_table, campaigns_table, report_progress
from survey.datasets.stat_names import CATEGORICAL, digits, encode_categories, stata_names
from survey.datasets.stat_writers import write_dta, write_sav

XLSX_MAX_ROWS = 1_048_575


def statistical(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as float64 with NaN (system-missing), date-times naive UTC, text as plain strings."""
    # Built as a dict and framed once: inserting 100+ columns one by one fragments the frame.
    out: dict[str, pd.Series] = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            if getattr(values.dt, "tz", None) is not None:
                values = values.dt.tz_convert("UTC").dt.tz_localize(None)
            out[column] = values.astype("datetime64[us]")
        elif pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
            out[column] = values.astype("float64")
        else:
            out[column] = values.astype(object).where(values.notna(), None)
    return pd.DataFrame(out, index=frame.index)


def write_stat(
    path: Path,
    frame: pd.DataFrame,
    book: pd.DataFrame,
    assets: pd.DataFrame,
    format: str,
    categories: Mapping[str, Mapping[str, int]],
) -> None:
    """One .sav or .dta file; `book` holds the codebook rows of this file only.

    `frame` holds missing-data codes in its item columns (`missing_codes.CodedSource`);
    `categories` the codes of mode, community, campaign and status (`stat_names.category_codes`).
    """
    data = encode_categories(statistical(frame), categories)
    columns = list(data.columns)
    labels = dict(zip(book["variable"], book["label"], strict=True))
    responses = "response_id" in columns
    # pyreadstat types the codes as float keys, which int keys match.
    coded = cast(dict[str, dict[float, str]], value_labels(columns, assets) if responses else {})
    for column in CATEGORICAL:
        if column in columns:
            coded[column] = {float(code): text for text, code in categories[column].items()}
    items = all_item_columns(columns, assets) if responses else []
    spss, stata = _widths(columns, coded, items, len(assets))
    renamed = stata_names(columns)

    def named(mapping: Mapping[str, Any]) -> dict[str, Any]:
        return {renamed.get(column, column): value for column, value in mapping.items()}

    measures = {column: _measure(column, data[column], coded) for column in columns}
    data = data.rename(columns=renamed)
    items = [renamed.get(column, column) for column in items]
    if format == "sav":
        write_sav(
            path,
            data,
            labels=named(labels),
            value_labels=named(coded),
            coded_items=items,
            measures=named(measures),
            widths=named(spss),
        )
        return
    write_dta(path, data, labels=named(labels), value_labels=named(coded), coded_items=items, widths=named(stata))


def _widths(
    columns: list[str], coded: Mapping[str, Mapping[float, str]], items: list[str], assets: int
) -> tuple[dict[str, int], dict[str, int]]:
    """Display widths that fit (SPSS ``F<w>.0``, Stata ``%<w>.0f``): 1-5 codes are one digit wide, not F8.2.

    SPSS shows the missing-data codes as numbers, so its items are wide enough for -5 too; Stata
    shows .a to .e whatever the width.
    """
    spss: dict[str, int] = {}
    stata: dict[str, int] = {}
    missing = list(MISSING_REASON_CODES.values())
    ranges = {"years_in_area": [0, instruments.get("demographics").item("years_in_area").max or 0]}
    for column in columns:
        valid = list(coded[column]) if column in coded else ranges.get(column)
        if valid is None and column in kind_columns():
            valid = [assets]
        if valid is None:
            continue
        stata[column] = digits(valid)
        spss[column] = digits([*valid, *missing]) if column in items else digits(valid)
    return spss, stata


def _measure(column: str, values: pd.Series, coded: Mapping[str, Any]) -> str:
    if column in CATEGORICAL:
        return "nominal"
    if column in coded and column not in ("verified", "resumed"):  # 0/1 flags are nominal
        return "nominal" if column in NOMINAL_ITEMS else "ordinal"
    if pd.api.types.is_float_dtype(values.dtype) and column != "verified":
        return "scale"
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return "scale"
    return "nominal"


def write_xlsx(
    path: Path,
    source: Source,
    columns: list[str],
    book: pd.DataFrame,
    record: Mapping[str, Any],
    chunk_size: int,
    progress: Progress | None,
) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    sheet.freeze_panes = "A2"
    sheet.append(columns)
    rows = 0
    for chunk in source.chunks(chunk_size):
        for row in _xlsx_rows(sheet, chunk.loc[:, columns]):
            sheet.append(row)
        rows += len(chunk)
        report_progress(progress, "responses", rows, source.total)
    for name, frame in (("assets", assets_table(source)), ("campaigns", campaigns_table(source)), ("codebook", book)):
        table = workbook.create_sheet(name)
        table.freeze_panes = "A2"
        table.append([str(column) for column in frame.columns])
        for row in _xlsx_rows(table, frame):
            table.append(row)
    about = workbook.create_sheet("provenance")
    about.freeze_panes = "A2"
    about.append(["field", "value"])
    for key, value in record.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        about.append(_xlsx_rows(about, pd.DataFrame({"field": [key], "value": [text]}))[0])
    workbook.save(path)
    return rows


def _xlsx_rows(sheet: Any, frame: pd.DataFrame) -> list[list[Any]]:
    """Python values per row; text always a string cell (never a formula), missing as an empty cell.

    Converted a column at a time (NumPy gives Python floats and date-times for a whole column):
    converting cell by cell was an eighth of a 100,000-response xlsx export (bench/bench_export.py).
    """
    data = statistical(frame)
    columns = [_xlsx_column(sheet, data[column]) for column in data.columns]
    return [list(row) for row in zip(*columns, strict=True)]


def _xlsx_column(sheet: Any, values: pd.Series) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if values.dtype != object:  # float64 with NaN, or naive datetime64 with NaT (`statistical`)
        python = values.to_numpy().astype(object)  # Python floats and datetimes; NaT becomes None
        python[values.isna().to_numpy()] = None
        return list(python)
    cells: list[Any] = []
    for value in values:
        if value is None:
            cells.append(None)
            continue
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
        cell.data_type = "s"  # openpyxl would take a leading "=" as a formula
        cells.append(cell)
    return cells

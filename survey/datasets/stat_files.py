"""The export's xlsx workbook and its SPSS (.sav) and Stata (.dta) files, with labels and display formats."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from survey.datasets.codebooks import NOMINAL_ITEMS, stata_names, value_labels
from survey.datasets.sources import Progress, Source, assets_table, campaigns_table, report_progress

XLSX_MAX_ROWS = 1_048_575


STATA_LABEL_MAX = 80


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


def write_stat(path: Path, frame: pd.DataFrame, book: pd.DataFrame, assets: pd.DataFrame, format: str) -> None:
    """One .sav or .dta file; `book` holds the codebook rows of this file only."""
    data = statistical(frame)
    columns = list(data.columns)
    labels = dict(zip(book["variable"], book["label"], strict=True))
    # pyreadstat and `DataFrame.to_stata` type the codes as float keys, which int keys do not match.
    coded = cast(dict[str, dict[float, str]], value_labels(columns, assets) if "response_id" in columns else {})
    if format == "sav":
        import pyreadstat

        measures = {column: _measure(column, data[column], coded) for column in columns}
        pyreadstat.write_sav(
            data,
            str(path),
            column_labels={column: str(labels.get(column, "")) for column in columns},
            variable_value_labels=coded,
            variable_measure=measures,
        )
        return
    renamed = stata_names(columns)
    data = data.rename(columns=renamed)
    for column in data.columns:
        if data[column].dtype == object:  # Stata's only missing string is "" (and pandas refuses all-None)
            data[column] = data[column].where(data[column].notna(), "")
    data.to_stata(
        path,
        write_index=False,
        version=118,  # read by Stata 14 and later (Unicode)
        convert_dates={column: "tc" for column in data.columns if pd.api.types.is_datetime64_any_dtype(data[column])},
        variable_labels={renamed.get(column, column): _stata_label(str(labels.get(column, ""))) for column in columns},
        value_labels={renamed.get(column, column): codes for column, codes in coded.items()},
    )


def _measure(column: str, values: pd.Series, coded: Mapping[str, Any]) -> str:
    if column in coded and column not in ("verified", "resumed"):  # 0/1 flags are nominal
        return "nominal" if column in NOMINAL_ITEMS else "ordinal"
    if pd.api.types.is_float_dtype(values.dtype) and column != "verified":
        return "scale"
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return "scale"
    return "nominal"


def _stata_label(label: str) -> str:
    return label if len(label) <= STATA_LABEL_MAX else label[: STATA_LABEL_MAX - 3].rstrip() + "..."


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
    """Python values per row; text always a string cell (never a formula), missing as an empty cell."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    data = statistical(frame)
    text_columns = [i for i, column in enumerate(data.columns) if data[column].dtype == object]
    values = data.astype(object).where(data.notna(), None).to_numpy()
    rows: list[list[Any]] = []
    for raw in values:
        row = [_python(value) for value in raw]
        for i in text_columns:
            if row[i] is not None:
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(row[i])))
                cell.data_type = "s"  # openpyxl would take a leading "=" as a formula
                row[i] = cell
        rows.append(row)
    return rows


def _python(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value

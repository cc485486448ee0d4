"""Dataset downloads as one zip: data files, codebook and provenance (issue 5, parts 1-3).

A zip holds, in this order:

``responses.<ext>``, ``assets.<ext>`` and ``campaigns.<ext>``
    The analysis dataset format (`analysis.dataset`), same column names (``campaigns`` carries the
    population sizes the valuation needs); ``xlsx`` instead holds one workbook ``dataset.xlsx`` with
    the sheets ``responses``, ``assets``, ``campaigns``, ``codebook`` and ``provenance``.
``adjustments.csv``
    The SROI adjustments stored for the exported assets (`analysis.adjustments`, with the
    ``campaign`` they were stored for), always as CSV -- the format ``python -m analysis report
    --adjustments`` and `analysis.read_dataset` read -- so a download gives the same net values on
    the command line as the app's report.
``codebook.csv``, ``codebook.html``
    `analysis.codebook` restricted to the exported columns (Stata exports add ``stata_variable``).
``provenance.json``
    Written last: format, content, filters, who and when (given by the caller), instrument versions
    per campaign and the definitions that scored them, and per file its row count and SHA-256.

Formats
-------
``csv``
    UTF-8, streamed chunk by chunk (`iter_csv_zip`): memory stays bounded by the chunk size and the
    first bytes leave before the last response is read. Text cells that start with ``= + - @``, a tab
    or a carriage return get a leading ``'`` so a spreadsheet opening the file never runs them as a
    formula (OWASP's advice for CSV injection). Only free text can trigger it -- asset names and
    codebook wording: response ids are hex, communities and campaigns are slugs -- so the data the
    analysis reads back is unchanged.
``xlsx``
    openpyxl write-only mode, chunk by chunk; every text cell is typed as a string, so nothing becomes
    a formula and no prefix is needed. At most 1,048,575 responses (one sheet's rows less the header).
``sav``, ``dta``
    pyreadstat, with variable labels, value labels for coded answers and (SPSS) measure levels; the
    whole table is held in memory while the file is written (the libraries write a DataFrame), so these
    are built off the request path. ``.sav`` is written by pyreadstat; ``.dta`` by pandas (format 118,
    Stata 14 and later), because ReadStat names each value-label set after its variable plus a counter
    and refuses the result past 32 characters. Stata names are at most 32 characters, so in ``.dta``
    only ``asset_<slug>_value`` (up to 38) becomes ``value_<slug>`` (at most 32, as slugs have at most
    26); the codebook's ``stata_variable`` column and provenance's ``stata_renamed`` record each change.
    Stata variable labels are cut to 80 characters, ending in "...".

Blank cells are missing everywhere (system-missing in SPSS, ``.`` in Stata); ``submitted_at`` is a
real date-time in UTC in sav, dta and xlsx, ISO 8601 text with ``Z`` in csv.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np
import pandas as pd

import instruments
from analysis.adjustments import empty_adjustments, prepare_adjustments
from analysis.cells import guard_formulas
from analysis.codebook import codebook
from analysis.dataset import (
    CAMPAIGN_COLUMNS,
    META_COLUMNS,
    OPTIONAL_CAMPAIGN_COLUMNS,
    Dataset,
    _iso_utc,
    kind_columns,
    response_columns,
    score_columns,
)

FORMATS = ("csv", "xlsx", "sav", "dta")
CONTENTS = ("both", "items", "scores")
XLSX_MAX_ROWS = 1_048_575
STATA_NAME_MAX = 32
STATA_LABEL_MAX = 80
CHUNK_ROWS = 5000
# Gender and employment have no order; every other coded item is an ordered scale (SPSS measure level).
NOMINAL_ITEMS = frozenset({"gender", "employment"})
VERIFIED_LABELS = {0: "not yet verified", 1: "verified"}

Progress = Callable[[str, float], None]


class ExportError(ValueError):
    """The export cannot be made as asked; the message says why and what to choose instead."""


class Source(Protocol):
    """What an export reads: an entered `analysis.DatasetReader`, or a `Dataset` via `_DatasetSource`."""

    assets: pd.DataFrame
    total: int
    columns: list[str]

    def chunks(self, size: int = ...) -> Iterator[pd.DataFrame]: ...


@dataclass
class _DatasetSource:
    """A `Dataset` in memory read like a `DatasetReader`, for notebooks and tests."""

    dataset: Dataset

    def __post_init__(self) -> None:
        self.assets = self.dataset.assets
        campaigns = self.dataset.campaigns
        if campaigns.empty:  # no population table given: the campaigns are those of the responses
            pairs = self.dataset.responses[["campaign", "community"]].drop_duplicates().reset_index(drop=True)
            campaigns = pairs.assign(
                population_size=pd.array([pd.NA] * len(pairs), dtype="Int64"), sampling_method=None
            )
        self.campaigns = campaigns.loc[
            :, [c for c in (*CAMPAIGN_COLUMNS, *OPTIONAL_CAMPAIGN_COLUMNS) if c in campaigns]
        ]
        self.adjustments = self.dataset.adjustments
        self.total = len(self.dataset.responses)
        self.columns = response_columns(self.assets["slug"])
        self.instrument_versions: dict[str, dict[str, int]] = {}

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        for start in range(0, self.total, size):
            yield self.dataset.responses.iloc[start : start + size]


def _source(reader_or_dataset: Source | Dataset) -> Source:
    return _DatasetSource(reader_or_dataset) if isinstance(reader_or_dataset, Dataset) else reader_or_dataset


def export_columns(columns: list[str], content: str) -> list[str]:
    """The response columns a `content` choice keeps, in file order.

    ``items``: metadata, demographics, items and asset answers; ``scores``: metadata, scores and
    ``assets_used_<kind>``; ``both``: every column.
    """
    if content not in CONTENTS:
        raise ExportError(f"content must be one of {', '.join(CONTENTS)}, not {content!r}")
    derived = {*score_columns(), *kind_columns()}
    if content == "both":
        return list(columns)
    if content == "scores":
        return [column for column in columns if column in META_COLUMNS or column in derived]
    return [column for column in columns if column not in derived]


def stata_names(columns: list[str]) -> dict[str, str]:
    """{column: Stata name} for the columns renamed in ``.dta`` (names longer than 32 characters)."""
    renamed: dict[str, str] = {}
    for column in columns:
        if len(column) <= STATA_NAME_MAX:
            continue
        if column.startswith("asset_") and column.endswith("_value"):
            renamed[column] = "value_" + column.removeprefix("asset_").removesuffix("_value")
        else:  # the format has no other long names; a new one must choose its own rule here
            raise ExportError(f"column {column!r} is too long for a Stata name ({STATA_NAME_MAX} characters)")
    return renamed


def value_labels(columns: list[str], assets: pd.DataFrame) -> dict[str, dict[int, str]]:
    """{column: {code: label}} for every coded column, from the instrument definitions."""
    labels: dict[str, dict[int, str]] = {"verified": dict(VERIFIED_LABELS)}
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
    names = _file_names(format)
    chosen["file"] = chosen["file"].map({f"{name}.csv": file for name, file in names.items()})
    if format == "dta":
        renamed = stata_names(columns)
        chosen["stata_variable"] = [
            renamed.get(variable, "") if file == names["responses"] else ""
            for file, variable in zip(chosen["file"], chosen["variable"], strict=True)
        ]
    return chosen.reset_index(drop=True)


def _file_names(format: str) -> dict[str, str]:
    tables = ("responses", "assets", "campaigns")
    if format == "xlsx":
        names = {name: f"dataset.xlsx (sheet {name})" for name in tables}
    else:
        names = {name: f"{name}.{format}" for name in tables}
    return {**names, "adjustments": "adjustments.csv"}  # always CSV: the analysis's input format


def codebook_html(book: pd.DataFrame, provenance: Mapping[str, Any]) -> str:
    """A self-contained HTML codebook: one table per file, each instrument's source and licence once."""
    e = _escape
    shown = ["variable", "label", "type", "codes", "instrument", "version", "project_own"]
    if "stata_variable" in book.columns:
        shown.append("stata_variable")
    parts = [
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Codebook</title>',
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
        "th,td{border:1px solid #999;padding:.3em;text-align:left;vertical-align:top}"
        "caption{font-weight:bold;text-align:left}</style></head><body>",
        "<h1>Codebook</h1>",
        f"<p>Exported {e(provenance.get('exported_at', ''))} by {e(provenance.get('exported_by', ''))}; "
        f"format {e(provenance.get('format', ''))}, content {e(provenance.get('content', ''))}. "
        "A blank cell is missing. Scores are computed on complete cases.</p>",
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
    for instrument, rows in book.groupby("instrument", sort=False):
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


class _Sink(io.RawIOBase):
    """A write-only, non-seekable file that collects bytes until taken: zipfile then streams."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


class _Zip:
    """A zip being written, with each entry's SHA-256, size and row count kept for provenance."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        self.archive = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED)
        self.files: dict[str, dict[str, Any]] = {}

    def open(self, name: str, *, rows: int | None = None, large: bool = False) -> _Entry:
        return _Entry(self, name, rows, self.archive.open(name, "w", force_zip64=large))

    def add(self, name: str, data: bytes, rows: int | None = None) -> None:
        with self.open(name, rows=rows) as entry:
            entry.write(data)

    def add_file(self, name: str, path: Path, rows: int | None = None) -> None:
        with self.open(name, rows=rows, large=True) as entry, path.open("rb") as source:
            while block := source.read(1 << 20):
                entry.write(block)

    def finish(self, provenance: dict[str, Any]) -> None:
        provenance["files"] = self.files
        data = json.dumps(provenance, indent=2, ensure_ascii=False, default=str).encode()
        with self.archive.open("provenance.json", "w") as handle:
            handle.write(data)
        self.archive.close()


class _Entry:
    def __init__(self, owner: _Zip, name: str, rows: int | None, handle: IO[bytes]) -> None:
        self.owner, self.name, self.rows, self.handle = owner, name, rows, handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.handle.write(data)

    def __enter__(self) -> _Entry:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.handle.close()
        record: dict[str, Any] = {"bytes": self.size, "sha256": self.digest.hexdigest()}
        if self.rows is not None:
            record["rows"] = self.rows
        self.owner.files[self.name] = record


def iter_csv_zip(
    reader_or_dataset: Source | Dataset,
    *,
    content: str = "both",
    provenance: Mapping[str, Any] | None = None,
    chunk_size: int = CHUNK_ROWS,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """The CSV export zip as a stream of byte strings, written as the responses are read.

    The reader must stay open (entered) until the iterator is exhausted or closed.
    """
    yield from _csv_zip(_source(reader_or_dataset), content, dict(provenance or {}), chunk_size, progress, {})


def _csv_zip(
    source: Source,
    content: str,
    given: dict[str, Any],
    chunk_size: int,
    progress: Progress | None,
    result: dict[str, Any],
) -> Iterator[bytes]:
    columns = export_columns(source.columns, content)
    book = export_codebook(source.assets, columns, "csv")
    record = _provenance(source, given, "csv", content)
    sink = _Sink()
    archive = _Zip(sink)  # type: ignore[arg-type]  # RawIOBase is a binary file
    rows = 0
    with archive.open("responses.csv", large=True) as entry:
        entry.write(_csv_bytes(pd.DataFrame(columns=columns), header=True))
        yield sink.take()  # the zip's first header leaves before any response is read
        for chunk in source.chunks(chunk_size):
            entry.write(_csv_bytes(chunk.loc[:, columns], header=False))
            rows += len(chunk)
            _report(progress, "responses", rows, source.total)
            if data := sink.take():  # deflate may still be holding this chunk back
                yield data
        entry.rows = rows
    archive.add("assets.csv", _csv_bytes(_assets(source), header=True), rows=len(source.assets))
    campaigns = _campaigns(source)
    archive.add("campaigns.csv", _csv_bytes(campaigns, header=True), rows=len(campaigns))
    adjustments = _adjustments(source)
    archive.add("adjustments.csv", _csv_bytes(adjustments, header=True), rows=len(adjustments))
    archive.add("codebook.csv", _csv_bytes(book, header=True), rows=len(book))
    archive.add("codebook.html", codebook_html(book, record).encode())
    record["rows"] = rows
    archive.finish(record)
    result.update(record)
    yield sink.take()


def _csv_bytes(frame: pd.DataFrame, *, header: bool) -> bytes:
    out = frame.copy()
    if "submitted_at" in out:
        out["submitted_at"] = _iso_utc(out["submitted_at"])
    return guard_formulas(out).to_csv(index=False, header=header, lineterminator="\n").encode("utf-8")


def _report(progress: Progress | None, step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done / total if total else 1.0)


def _provenance(source: Source, given: Mapping[str, Any], format: str, content: str) -> dict[str, Any]:
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
        "excluded": "practice campaigns, partial responses, contact details, postcode district, free text",
    }
    if format == "csv":
        record["csv_formula_guard"] = "text cells starting with = + - @ tab or CR are prefixed with '"
    if format == "dta":
        record["stata_renamed"] = stata_names(export_columns(source.columns, content))
    return record


def write_export(
    target: str | Path | IO[bytes],
    reader_or_dataset: Source | Dataset,
    *,
    format: str,
    content: str = "both",
    provenance: Mapping[str, Any] | None = None,
    chunk_size: int = CHUNK_ROWS,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the export zip to `target` (a path or a binary file); returns the provenance written."""
    if format not in FORMATS:
        raise ExportError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    source = _source(reader_or_dataset)
    export_columns(source.columns, content)  # checks `content` before anything is written
    if format == "xlsx" and source.total > XLSX_MAX_ROWS:
        raise ExportError(
            f"{source.total:,} responses do not fit an Excel sheet (at most {XLSX_MAX_ROWS:,} rows): "
            "choose csv, sav or dta, or fewer campaigns"
        )
    given = dict(provenance or {})
    if not isinstance(target, (str, Path)):
        return _write_to(target, source, format, content, given, chunk_size, progress)
    with open(target, "wb") as handle:
        return _write_to(handle, source, format, content, given, chunk_size, progress)


def _write_to(
    handle: IO[bytes],
    source: Source,
    format: str,
    content: str,
    given: dict[str, Any],
    chunk_size: int,
    progress: Progress | None,
) -> dict[str, Any]:
    if format == "csv":
        result: dict[str, Any] = {}
        for part in _csv_zip(source, content, given, chunk_size, progress, result):
            handle.write(part)
        return result
    columns = export_columns(source.columns, content)
    book = export_codebook(source.assets, columns, format)
    record = _provenance(source, given, format, content)
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        # Data files first, so a failure leaves no half-written zip behind.
        files: list[tuple[Path, int]] = []
        if format == "xlsx":
            path = Path(folder) / "dataset.xlsx"
            files.append((path, _write_xlsx(path, source, columns, book, record, chunk_size, progress)))
        else:
            responses = _collect(source, columns, chunk_size, progress)
            for name, frame in (
                ("responses", responses),
                ("assets", _assets(source)),
                ("campaigns", _campaigns(source)),
            ):
                path = Path(folder) / f"{name}.{format}"
                _write_stat(path, frame, book[book["file"] == path.name], source.assets, format)
                files.append((path, len(frame)))
        archive = _Zip(handle)
        for path, rows in files:
            archive.add_file(path.name, path, rows=rows)
    adjustments = _adjustments(source)
    archive.add("adjustments.csv", _csv_bytes(adjustments, header=True), rows=len(adjustments))
    archive.add("codebook.csv", _csv_bytes(book, header=True), rows=len(book))
    archive.add("codebook.html", codebook_html(book, record).encode())
    record["rows"] = files[0][1]
    archive.finish(record)
    return record


def _assets(source: Source) -> pd.DataFrame:
    """The assets table with costs as numbers (PostgreSQL's numeric arrives as Decimal objects)."""
    assets = source.assets.copy()
    assets["annual_cost"] = pd.to_numeric(assets["annual_cost"]).astype("float64")
    if "cost_year" in assets:
        assets["cost_year"] = pd.to_numeric(assets["cost_year"]).astype("Int64")
    return assets


def _campaigns(source: Source) -> pd.DataFrame:
    """The campaigns table (population size and sampling method per campaign) in the format's columns."""
    campaigns = getattr(source, "campaigns", None)
    if campaigns is None:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in CAMPAIGN_COLUMNS})
    columns = [column for column in (*CAMPAIGN_COLUMNS, *OPTIONAL_CAMPAIGN_COLUMNS) if column in campaigns]
    table = campaigns.loc[:, columns].copy()
    table["population_size"] = pd.to_numeric(table["population_size"]).astype("Int64")
    return table.reset_index(drop=True)


def _adjustments(source: Source) -> pd.DataFrame:
    """The stored SROI adjustments of the exported assets, checked as the analysis reads them."""
    adjustments = getattr(source, "adjustments", None)
    if adjustments is None or adjustments.empty:
        frame = empty_adjustments()
        frame["campaign"] = pd.Series(dtype=object)
        return frame
    return prepare_adjustments(adjustments, origin="adjustments.csv")


def _collect(source: Source, columns: list[str], chunk_size: int, progress: Progress | None) -> pd.DataFrame:
    parts: list[pd.DataFrame] = []
    done = 0
    for chunk in source.chunks(chunk_size):
        parts.append(_statistical(chunk.loc[:, columns]))
        done += len(chunk)
        _report(progress, "responses", done, source.total)
    if not parts:
        return _statistical(pd.DataFrame({column: pd.Series(dtype="Int64") for column in columns}))
    return pd.concat(parts, ignore_index=True)


def _statistical(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as float64 with NaN (system-missing), date-times naive UTC, text as plain strings."""
    out = pd.DataFrame(index=frame.index)
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
    return out


def _write_stat(path: Path, frame: pd.DataFrame, book: pd.DataFrame, assets: pd.DataFrame, format: str) -> None:
    """One .sav or .dta file; `book` holds the codebook rows of this file only."""
    data = _statistical(frame)
    columns = list(data.columns)
    labels = dict(zip(book["variable"], book["label"], strict=True))
    coded = value_labels(columns, assets) if "response_id" in columns else {}
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
    if column in coded and column != "verified":
        return "nominal" if column in NOMINAL_ITEMS else "ordinal"
    if pd.api.types.is_float_dtype(values.dtype) and column != "verified":
        return "scale"
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return "scale"
    return "nominal"


def _stata_label(label: str) -> str:
    return label if len(label) <= STATA_LABEL_MAX else label[: STATA_LABEL_MAX - 3].rstrip() + "..."


def _write_xlsx(
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
        _report(progress, "responses", rows, source.total)
    for name, frame in (("assets", _assets(source)), ("campaigns", _campaigns(source)), ("codebook", book)):
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

    data = _statistical(frame)
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


def zip_name(scope: str, when: datetime) -> str:
    """``survey-export-<scope>-<YYYYmmdd-HHMM>.zip``; `scope` is reduced to safe file-name characters."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in scope)[:60].strip("-") or "all"
    return f"survey-export-{safe}-{when.strftime('%Y%m%d-%H%M')}.zip"

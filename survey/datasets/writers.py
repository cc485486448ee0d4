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
    `analysis.codebook` restricted to the exported columns, with the SPSS and Stata names, the
    missing-data codes (rows of file ``(missing-data codes)``) and each instrument's citation once.
``notes.do`` (Stata only)
    Adds the full labels Stata cuts at 80 characters, and the question stems, as Stata ``notes``.
``datapackage.json``
    A Frictionless Data Package describing the zip's CSV files and ``assets.geojson`` (`datapackage`).
``provenance.json``
    Written last: format, content, filters, options, who and when (given by the caller), instrument versions
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
    pyreadstat (`stat_writers`), with variable labels, value labels for coded answers, (SPSS) measure
    levels, labelled numbers for mode, community and campaign, display formats that fit the codes, and
    the missing-data codes: SPSS user-missing values -1 ... -5, Stata extended missing values .a ... .e.
    The whole table is held in memory while the file is written (the libraries write a DataFrame), so
    these are built off the request path. Names follow one rule in both (`stat_names`): every
    ``asset_<slug>_value`` becomes ``value_<slug>``; the codebook's ``spss_name`` and ``stata_name``
    and provenance's ``stata_renamed`` record it. Stata variable labels are cut to 80 characters and
    SPSS ones to 255 bytes, ending in "..."; the codebook (and ``notes.do``) keeps the rest.

In CSV and xlsx a missing answer is a blank cell, or its missing-data code when ``missing="codes"``,
and coded answers may be written as their labels (``labels="labels"``; `shaping`). Scores are never
coded: a blank score is system-missing in SPSS, ``.`` in Stata. ``submitted_at`` is a
real date-time in UTC in sav, dta and xlsx, ISO 8601 text with ``Z`` in csv.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import pandas as pd

from analysis.dataset import (
    Dataset,
)
from instruments.answers import quoted
from survey.datasets.asset_geojson import GEOJSON_FILE, export_geojson
from survey.datasets.codebooks import codebook_html, export_codebook, export_columns, export_provenance
from survey.datasets.missing_codes import CodedSource
from survey.datasets.options import Options
from survey.datasets.shaping import check_choices
from survey.datasets.sources import (
    CHUNK_ROWS,
    FORMATS,
    ExportError,
    Progress,
    Source,
    adjustments_table,
    as_source,
    assets_table,
    campaigns_table,
    report_progress,
)
from survey.datasets.stat_files import XLSX_MAX_ROWS, statistical, write_stat, write_xlsx
from survey.datasets.stat_names import category_codes
from survey.datasets.stat_writers import do_file
from survey.datasets.zipstream import Zip, csv_bytes, csv_zip


def write_export(
    target: str | Path | IO[bytes],
    reader_or_dataset: Source | Dataset,
    *,
    format: str,
    content: str = "both",
    provenance: Mapping[str, Any] | None = None,
    chunk_size: int = CHUNK_ROWS,
    progress: Progress | None = None,
    missing: str = "blank",
    labels: str = "codes",
) -> dict[str, Any]:
    """Write the export zip to `target` (a path or a binary file); returns the provenance written.

    `missing` and `labels` shape CSV and xlsx (`shaping`); SPSS and Stata always carry codes,
    value labels and missing-data codes.
    """
    if format not in FORMATS:
        raise ExportError(f"format must be one of {', '.join(FORMATS)}, not {quoted(format)}")
    check_choices(missing, labels)
    source = as_source(reader_or_dataset)
    export_columns(source.columns, content)  # checks `content` before anything is written
    if format == "xlsx" and source.total > XLSX_MAX_ROWS:
        raise ExportError(
            f"{source.total:,} responses do not fit an Excel sheet (at most {XLSX_MAX_ROWS:,} rows): "
            "choose csv, sav or dta, or fewer campaigns"
        )
    given = dict(provenance or {})
    options = Options(format, content, missing, labels)
    if not isinstance(target, (str, Path)):
        return _write_to(target, source, options, given, chunk_size, progress)
    with open(target, "wb") as handle:
        return _write_to(handle, source, options, given, chunk_size, progress)


def _write_to(
    handle: IO[bytes],
    source: Source,
    options: Options,
    given: dict[str, Any],
    chunk_size: int,
    progress: Progress | None,
) -> dict[str, Any]:
    format, content = options.format, options.content
    if format == "csv":
        result: dict[str, Any] = {}
        for part in csv_zip(source, options, given, chunk_size, progress, result):
            handle.write(part)
        return result
    columns = export_columns(source.columns, content)
    book = export_codebook(source.assets, columns, format)
    record = export_provenance(source, given, format, content)
    record.update(options.recorded())
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        # Data files first, so a failure leaves no half-written zip behind.
        files: list[tuple[Path, int]] = []
        if format == "xlsx":
            path = Path(folder) / "dataset.xlsx"
            rows = write_xlsx(path, options.shape(source), columns, book, record, chunk_size, progress)
            files.append((path, rows))
        else:
            responses = _collect(CodedSource(source), columns, chunk_size, progress)
            tables = {"responses": responses, "assets": assets_table(source), "campaigns": campaigns_table(source)}
            categories = category_codes(*tables.values())
            for name, frame in tables.items():
                path = Path(folder) / f"{name}.{format}"
                write_stat(path, frame, book[book["file"] == path.name], source.assets, format, categories)
                files.append((path, len(frame)))
            record["category_codes"] = categories
        archive = Zip(handle)
        for path, rows in files:
            archive.add_file(path.name, path, rows=rows)
    adjustments = adjustments_table(source)
    archive.add("adjustments.csv", csv_bytes(adjustments, header=True), rows=len(adjustments))
    places, located = export_geojson(source)
    archive.add(GEOJSON_FILE, places, rows=located)
    archive.add("codebook.csv", csv_bytes(book, header=True), rows=len(book))
    archive.add("codebook.html", codebook_html(book, record).encode())
    if format == "dta":
        archive.add("notes.do", do_file({path.name: book[book["file"] == path.name] for path, _rows in files}).encode())
    archive.add("datapackage.json", options.package(book, source, columns, record))
    record["rows"] = files[0][1]
    archive.finish(record)
    return record


def _collect(source: Source, columns: list[str], chunk_size: int, progress: Progress | None) -> pd.DataFrame:
    parts: list[pd.DataFrame] = []
    done = 0
    for chunk in source.chunks(chunk_size):
        parts.append(statistical(chunk.loc[:, columns]))
        done += len(chunk)
        report_progress(progress, "responses", done, source.total)
    if not parts:
        return statistical(pd.DataFrame({column: pd.Series(dtype="Int64") for column in columns}))
    return pd.concat(parts, ignore_index=True)

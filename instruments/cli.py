"""Command line: ``python -m instruments score IN.csv OUT.csv [--prorate]``.

Every cell is read as text and written back unchanged; only score columns are added (or
replaced). In item columns an empty cell, ``NA`` or ``.`` (Stata) means missing, and whitespace
around a value is ignored. Cell values, the header (blank or repeated names included) and a
UTF-8 byte-order mark are kept; quoting is rewritten minimally and lines end in "\\n". Blank lines
are not data rows; row 1 in messages is the first data row after the header.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import os
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from instruments.model import Instrument, ScoringRule
from instruments.scoring import score, scored_instruments
from instruments.validation import validate_codes

MISSING_SPELLINGS = ("", "NA", ".")  # empty cell, R/pandas "NA", Stata's "."
MAX_REPORTED_ERRORS = 50
MARKER_COLUMN = "score_missing_rule"


class CliError(Exception):
    """A problem with the user's input or files: reported as one message and exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 bad input)."""
    parser = argparse.ArgumentParser(prog="python -m instruments", description="Survey instrument tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    scorer = commands.add_parser(
        "score",
        help="add WEMWBS, SWEMWBS and six ways scores to a CSV file",
        description=(
            "Add a score column for every instrument whose item columns are all present. Missing "
            "answers: empty cell, NA, '.' or a missing-data code (-1 to -5); whitespace around values "
            "is ignored. By default any "
            "missing item leaves that score blank (complete cases)."
        ),
    )
    scorer.add_argument("input", type=Path, help="CSV file with a header row, UTF-8")
    scorer.add_argument("output", type=Path, help="CSV file to write (same rows and columns, plus scores)")
    scorer.add_argument(
        "--prorate",
        action="store_true",
        help=(
            "NON-STANDARD, the project's own rule: score forms with a few missing items (WEMWBS up "
            "to 2, SWEMWBS up to 1) from the answered items; adds a column "
            f"{MARKER_COLUMN}=prorate"
        ),
    )
    args = parser.parse_args(argv)
    try:
        return score_file(args.input, args.output, prorate=args.prorate)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def score_file(source: Path, target: Path, *, prorate: bool = False) -> int:
    """Score the CSV file `source` into `target`; return 0, or 2 after reporting invalid codes."""
    table, header, bom = _read_csv(source)
    columns = set(header)
    complete: list[Instrument] = []
    for instrument in scored_instruments():
        absent = [key for key in instrument.item_keys if key not in columns]
        if not absent:
            complete.append(instrument)
        elif len(absent) < len(instrument.items):
            print(
                f"warning: {source}: {instrument.key} not scored, missing column(s): {', '.join(absent)}",
                file=sys.stderr,
            )
    if not complete:
        # Nothing to score is not an error: the file is passed through unchanged.
        print(f"warning: {source}: no instrument has all its item columns; nothing scored", file=sys.stderr)
        _write_csv(table, target, bom=bom)
        return 0
    rules = {rule.name: rule for instrument in complete for rule in instrument.scoring}
    needed = list(dict.fromkeys(key for instrument in complete for key in instrument.item_keys))
    _refuse_duplicates(source, header, [*needed, *rules, MARKER_COLUMN])

    items = pd.DataFrame({key: _as_item_column(table[key]) for key in needed}, index=table.index)
    errors = validate_codes(items, complete, max_errors=MAX_REPORTED_ERRORS)
    if errors.total:
        for error in errors:
            print(f"{source}: {error}", file=sys.stderr)
        if errors.truncated:
            print(
                f"{source}: ... and {errors.total - len(errors)} more invalid cells ({errors.total} in all)",
                file=sys.stderr,
            )
        print(f"{source}: no output written", file=sys.stderr)
        return 2

    if prorate:
        print(
            "note: --prorate uses the project's own NON-STANDARD pro-rating of missing items (no "
            f"official rule exists); the output records it in column {MARKER_COLUMN}",
            file=sys.stderr,
        )
    scores = score(items, complete, missing_rule="prorate" if prorate else "complete_cases")
    replaced = [name for name in scores.columns if name in columns]
    with warnings.catch_warnings():
        # A wide table (an export has hundreds of columns) made pandas print a PerformanceWarning, a
        # source line and advice about frame.insert to the person scoring: noise, not their concern
        # (bench/bench_score_cli.py measures the speed).
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        for name in scores.columns:
            table[name] = _as_text(scores[name], rules[name])  # an existing column keeps its place
        if prorate:
            table[MARKER_COLUMN] = "prorate"
        elif MARKER_COLUMN in columns:
            table[MARKER_COLUMN] = "complete_cases"  # the old marker would no longer be true
            replaced.append(MARKER_COLUMN)
    _write_csv(table, target, bom=bom)

    if replaced:
        print(f"note: replaced existing column(s): {', '.join(replaced)}", file=sys.stderr)
    counts = ", ".join(f"{name} ({int(scores[name].notna().sum())} scored)" for name in scores.columns)
    rule_text = "pro-rated (non-standard)" if prorate else "complete cases"
    print(f"{source}: {len(table)} rows -> {target}; scores: {counts}; missing items: {rule_text}", file=sys.stderr)
    return 0


def _read_csv(path: Path) -> tuple[pd.DataFrame, list[str], bool]:
    """Read every cell as text. Returns (table, header as written, whether the file had a UTF-8 BOM).

    pandas' C parser reads a plain file (about a third of the csv module's time on a million rows),
    told nothing about the header so it neither renames blank and repeated names ("Unnamed: 1",
    "a.1") nor drops the fields of a long row. Quoting, lone carriage returns, lines of only spaces
    or tabs and NUL bytes are read differently by the two parsers (a differential test found each),
    so a file holding any of them, or that pandas would read with a warning, is read by the csv
    module, which is the reference: the result and the messages are the same whichever reader ran.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except OSError as error:
        raise CliError(f"{path}: cannot read: {error.strerror or error}") from None
    bom = data.startswith(codecs.BOM_UTF8)
    fast = read_with_pandas(data)
    if fast is not None:
        return fast[0], fast[1], bom
    return *read_with_csv_module(path), bom


# A line of only spaces or tabs: data to the csv module, skipped by pandas.
_BLANK_LOOKING_LINE = re.compile(rb"(?:^|\n)[ \t]+(?:\r?\n|$)")


def _parsers_differ(body: bytes) -> bool:
    """Whether `body` holds what the two parsers read differently (quotes, a CR not ending a line,
    a line of only spaces or tabs, NUL which the csv module refuses). Byte searches, not one
    regular expression: a million-row file is checked in milliseconds rather than most of a second."""
    if b'"' in body or b"\x00" in body or body.count(b"\r") != body.count(b"\r\n"):
        return True
    if body[:1] in (b" ", b"\t") or b"\n " in body or b"\n\t" in body:
        return _BLANK_LOOKING_LINE.search(body) is not None
    return False


def read_with_pandas(data: bytes) -> tuple[pd.DataFrame, list[str]] | None:
    """The table and header read by pandas, or None where only the csv module gives the right answer."""
    body = data.removeprefix(codecs.BOM_UTF8)
    if _parsers_differ(body):
        return None
    try:  # without quotes the header line is its text split at the commas
        end = body.find(b"\n")
        first = body[: end if end >= 0 else len(body)].removesuffix(b"\r").decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    if first == [""]:
        return None  # empty file or blank first line: the csv module's message
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # e.g. fields it would drop
            table = pd.read_csv(
                io.BytesIO(body),
                header=None,
                names=range(len(first)),
                dtype=object,
                na_filter=False,
                encoding="utf-8",
                engine="c",
                index_col=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError, ValueError):
        return None
    if table.empty or list(table.iloc[0]) != first:
        return None  # a header the two parsers split differently: trust the csv module
    table = table.iloc[1:].reset_index(drop=True)
    table.columns = pd.Index(first, dtype=object)
    return table, first


def read_with_csv_module(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Every cell as text by the csv module: slower, and the reference for what the file says."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header:
                raise CliError(f"{path}: the file is empty (a header row is needed)")
            rows: list[list[str]] = []
            for row in reader:
                if not row:
                    continue  # a blank line is not a data row
                if len(row) > len(header):
                    raise CliError(
                        f"{path}: line {reader.line_num} has {len(row)} fields but the header has {len(header)}"
                    )
                rows.append(row + [""] * (len(header) - len(row)))
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except OSError as error:
        raise CliError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise CliError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except csv.Error as error:
        raise CliError(f"{path}: not a readable CSV file: {error}") from None
    table = pd.DataFrame(rows, columns=range(len(header)), dtype=object)
    table.columns = pd.Index(header, dtype=object)
    return table, header


def _refuse_duplicates(path: Path, header: list[str], names: list[str]) -> None:
    repeated = sorted({name for name in names if header.count(name) > 1})
    if repeated:
        raise CliError(f"{path}: column(s) {', '.join(repeated)} appear more than once in the header")


def _as_item_column(column: pd.Series) -> pd.Series:
    """Strip whitespace and turn the missing-value spellings into NA, as a categorical column.

    A column holds a handful of distinct texts ("1" to "5", blank): each is cleaned once, and the
    categorical keeps the codes, so checking and scoring convert those few texts, not every cell.
    """
    codes, distinct = pd.factorize(column.astype(object), use_na_sentinel=True)
    cleaned = [None if text is None else str(text).strip() for text in distinct]
    cleaned = [None if text in MISSING_SPELLINGS else text for text in cleaned]
    # " 3" and "3" clean to one text: number the cleaned texts again, missing as -1.
    recoded, categories = pd.factorize(pd.Series(cleaned, dtype=object), use_na_sentinel=True)
    lookup = np.append(recoded, -1)  # code -1 (a missing cell) picks the trailing -1
    return pd.Series(
        pd.Categorical.from_codes(lookup[codes], categories=pd.Index(categories, dtype=object)), index=column.index
    )


def _as_text(values: pd.Series, rule: ScoringRule) -> pd.Series:
    """Scores as CSV text: whole numbers without a decimal point, `decimals` places, blank if missing.

    Scores take few distinct values (WEMWBS 14-70): each is formatted once, not once per row.
    """
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    if isinstance(values.dtype, pd.Int64Dtype):
        shown = [str(int(value)) for value in distinct]
    elif rule.decimals is not None:
        shown = [f"{float(value):.{rule.decimals}f}" for value in distinct]
    else:
        shown = [repr(float(value)) for value in distinct]
    texts = np.array([*shown, ""], dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype=object)  # code -1 (missing) takes the last: ""


def _write_csv(table: pd.DataFrame, path: Path, *, bom: bool) -> None:
    """Write via a temporary file beside `path`, so a failed write leaves no half file behind."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        table.to_csv(partial, index=False, encoding="utf-8-sig" if bom else "utf-8", lineterminator="\n")
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CliError(f"{path}: cannot write: {error.strerror or error}") from None

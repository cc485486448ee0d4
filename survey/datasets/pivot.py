"""Answers and asset uses pivoted by the database into one row per response, split into NumPy arrays.

Why (issue 14, point 5): fetching one row per answer (30 a response) made the DBAPI build three
Python objects per answer; at 1,000,000 responses that was most of the export's reading time.
Here the database groups each response's answers itself (`text_list`: ``group_concat`` on SQLite,
``string_agg`` on PostgreSQL) into two texts, the item keys and the values, so a response is one
fetched row. The key lists take few distinct forms (one per set of questions asked), so each form
is split once per chunk; the values of a whole chunk are joined and converted by NumPy at once,
then scattered into preallocated arrays indexed by (response position, column position).

A whole chunk comes back as one row (`packed`: the grouped rows' fields joined into records,
the records joined into one text). Python's sqlite3 lets go of the GIL for each row it steps
through and must take it back before the next: with the export's main thread busy, a row a
switch interval. Read row by row, the reading thread advanced mostly while the main thread
waited for it, so the two took turns (CPU seconds equal to wall seconds on two idle cores);
packed, SQLite works through a chunk in one step without the GIL.

The keys travel with the values, so no order of the aggregate is assumed: on PostgreSQL both
aggregates are ordered by the key; SQLite (before 3.44) takes no ORDER BY in an aggregate, and
feeds each row of a group to every aggregate of the query in turn, so the two lists are in the
same order whatever it is. The number of values is checked against the number of labels.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Generator, Mapping, Sequence
from contextlib import closing
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Select, Text, cast, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# Rows per fetch of a statement read row by row (the ids of the responses to read).
BATCH_ROWS = 5_000
# Between the items of a list: the ASCII unit separator, which no item key or number contains.
SEPARATOR = "\x1f"
# A missing value in a list of values (SQL NULL): read as NaN.
MISSING = "nan"
# Between the fields of a packed row, and between the packed rows (ASCII record separators).
FIELD_SEPARATOR = "\x1e"
RECORD_SEPARATOR = "\x1d"


class text_list(FunctionElement[str]):  # noqa: N801 - named like the SQL functions it stands for
    """An aggregate: a group's values as text joined by `SEPARATOR`, ordered by `order` where the
    database allows (see the module's docstring). ``text_list(value, order)``."""

    type = Text()
    inherit_cache = True


@compiles(text_list)
def _group_concat(element: text_list, compiler: Any, **kw: Any) -> str:
    value, _order = element.clauses
    # The separator written out, not char(31): SQLite calls a function argument for every row
    # (1.7 s against 1.0 s for the 3,000,000 answers of the benchmark).
    return f"group_concat({compiler.process(value, **kw)}, '{SEPARATOR}')"


@compiles(text_list, "postgresql")
def _string_agg(element: text_list, compiler: Any, **kw: Any) -> str:
    value, order = element.clauses
    text = compiler.process(value, **kw)
    # chr(31) is a constant to PostgreSQL's planner, worked out once.
    return f"string_agg(CAST({text} AS TEXT), chr(31) ORDER BY {compiler.process(order, **kw)})"


class record_list(FunctionElement[str]):  # noqa: N801 - named like the SQL functions it stands for
    """An aggregate: a group's texts joined by `RECORD_SEPARATOR`, in no particular order."""

    type = Text()
    inherit_cache = True


@compiles(record_list)
def _records_group_concat(element: record_list, compiler: Any, **kw: Any) -> str:
    (value,) = element.clauses
    return f"group_concat({compiler.process(value, **kw)}, '{RECORD_SEPARATOR}')"


@compiles(record_list, "postgresql")
def _records_string_agg(element: record_list, compiler: Any, **kw: Any) -> str:
    (value,) = element.clauses
    return f"string_agg({compiler.process(value, **kw)}, chr({ord(RECORD_SEPARATOR)}))"


def packed(statement: Select[Any]) -> Select[Any]:
    """`statement`'s rows as one row of one text: each row's fields as text (NULL as an empty
    text: a NULL would blank its whole record) joined by `FIELD_SEPARATOR`, the rows joined by
    `RECORD_SEPARATOR` (NULL when there are none)."""
    rows = statement.subquery()
    fields = [func.coalesce(cast(column, Text), literal("")) for column in rows.c]
    record: ColumnElement[str] = fields[0]
    for field in fields[1:]:
        record = record.concat(literal(FIELD_SEPARATOR)).concat(field)
    return select(record_list(record))


def unpacked(connection: Any, statement: Select[Any]) -> list[list[str]]:
    """The rows of `statement`, read as one `packed` row, as columns of texts (no rows: empty columns)."""
    width = len(statement.selected_columns)
    with closing(_batches(connection, packed(statement))) as batches:  # its cursor closed here, not at GC
        text = next(batches)[0][0]
    if not text:
        return [[] for _ in range(width)]
    fields = [record.split(FIELD_SEPARATOR) for record in text.split(RECORD_SEPARATOR)]
    if any(len(row) != width for row in fields):
        raise RuntimeError("a packed row read does not have the fields of its statement")
    return [list(column) for column in zip(*fields, strict=True)]


def listed(value: ColumnElement[Any], order: ColumnElement[Any]) -> text_list:
    """`value` of each row of a group, NULL written as `MISSING`, joined into one text."""
    return text_list(func.coalesce(cast(value, Text), literal(MISSING)), order)


class Positions:
    """Where each response id sits in the response table being built (ids in any order)."""

    def __init__(self, ids: np.ndarray) -> None:
        self._order = np.argsort(ids, kind="stable")
        self._sorted = ids[self._order]

    def find(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row positions of `wanted` ids, and which of them were found at all."""
        if not len(self._sorted):
            return np.zeros(len(wanted), dtype=np.intp), np.zeros(len(wanted), dtype=bool)
        at = np.minimum(np.searchsorted(self._sorted, wanted), len(self._sorted) - 1)
        return self._order[at], self._sorted[at] == wanted


def listed_matrices(
    connection: Any, statement: Select[Any], ids: np.ndarray, columns_of: Mapping[str, int], width: int
) -> list[np.ndarray]:
    """Values as floats, one array of shape (responses, width) per list of values; NaN = none.

    `statement` gives (response id, labels, values, ...) rows: a response's labels and each of
    its value lists joined by `SEPARATOR` (`listed`), all read at once (`unpacked`). `columns_of`
    maps a label (as text) to its column; labels not in it are left out.
    """
    out = [np.full((len(ids), width), np.nan) for _ in statement.selected_columns[2:]]
    positions = Positions(ids)
    response_ids, labels, *lists = unpacked(connection, statement)
    if response_ids:
        rows, found = positions.find(np.array(response_ids).astype(np.int64))
        counts, columns = _label_columns(labels, columns_of)
        cell_rows = np.repeat(rows, counts)
        keep = np.repeat(found, counts) & (columns >= 0)
        for target, texts in zip(out, lists, strict=True):
            target[cell_rows[keep], columns[keep]] = _values(texts, counts)[keep]
    return out


def _label_columns(labels: Sequence[str], columns_of: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, how many labels it lists; and every label's column (-1: none), row after row."""
    # A dict numbers the distinct lists: five times faster than pd.factorize on these long texts.
    numbered: dict[str, int] = {}
    codes = np.fromiter((numbered.setdefault(label, len(numbered)) for label in labels), np.intp, len(labels))
    split = [form.split(SEPARATOR) for form in numbered]
    lengths = np.array([len(parts) for parts in split], dtype=np.intp)
    table = np.full((len(split), int(lengths.max())), -1, dtype=np.intp)
    for index, parts in enumerate(split):
        table[index, : len(parts)] = [columns_of.get(label, -1) for label in parts]
    counts = lengths[codes]
    # Row-major order of the (row, place in its list) cells that exist: the order of the joined values.
    present = np.arange(table.shape[1]) < counts[:, None]
    return counts, table[codes][present]


def _values(texts: Sequence[str], counts: np.ndarray) -> np.ndarray:
    """The numbers of every row's list, joined and parsed at once (no Python object per value).

    pandas' C CSV tokenizer reads them, one value per "line" (the separator as line end): five
    times faster than ``np.fromstring(sep=...)`` (1.25 of the reading thread's 4.9 s at 100,000
    responses, bench/bench_export.py). Checked against the number of labels: a label holding the
    separator, an empty value (skipped as a blank line) or a value that is not a number makes the
    count come out different or the parse fail (values never hold the separator, so errors cannot
    cancel out between rows).
    """
    joined = SEPARATOR.join(texts).encode()
    try:
        parsed = pd.read_csv(
            io.BytesIO(joined),
            header=None,
            names=["value"],
            lineterminator=SEPARATOR,
            quoting=csv.QUOTE_NONE,
            dtype=np.float64,
            na_values=[MISSING],
            keep_default_na=False,
            engine="c",
        )
    except (ValueError, pd.errors.ParserError) as error:
        raise RuntimeError(f"a list of values read holds something that is not a number: {error}") from error
    values = parsed["value"].to_numpy()
    if len(values) != int(counts.sum()):
        raise RuntimeError("the lists of values read do not match their lists of labels")
    return values


def id_column(connection: Any, statement: Select[Any]) -> np.ndarray:
    """The statement's first column (ids) as int64, read in batches."""
    parts = [np.asarray(columns[0], dtype=np.int64) for columns in _batches(connection, statement)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _batches(connection: Any, statement: Select[Any]) -> Generator[list[list[Any]], None, None]:
    """The statement's rows, a batch at a time, as columns (tuples); values inlined as in `_rows`."""
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled))
        width = len(cursor.description)
        while rows := cursor.fetchmany(BATCH_ROWS):
            # One list per column: ten times faster than zip(*rows) over 50,000 row tuples.
            yield [[row[column] for row in rows] for column in range(width)]
    finally:
        cursor.close()

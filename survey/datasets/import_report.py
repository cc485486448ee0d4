"""What a response file's check found: problems by row and column, collected a chunk of rows at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import pandas as pd

from survey.datasets.files import HEADER_ROW
from survey.exceptions import ServiceError

MAX_SHOWN = 500  # problems listed; the report also gives the total
# Longer reasons and column names are shown with their middle left out: a 1 MB header name was
# repeated whole in every line naming it, pages and command-line reports of megabytes (cell values
# in reasons are already cut by `quoted`; a column name is shown as it is).
MAX_SHOWN_CHARS = 300


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a file cannot be imported: `row` in spreadsheet numbering (None: the whole file)."""

    row: int | None
    column: str
    reason: str


@dataclass
class ImportReport:
    """What a dry run found (or an import did): counts and every problem, the first `MAX_SHOWN` listed."""

    filename: str
    rows: int = 0
    new: int = 0
    already_present: int = 0
    rows_with_errors: int = 0
    # Problems of the header row (row 1): a missing or unknown column. They leave the data rows
    # unchecked, so "0 rows with errors" beside "46 problems" needs them counted on their own.
    header_problems: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_total: int = 0
    new_by_campaign: dict[str, int] = field(default_factory=dict)
    added: int = 0
    unreadable: bool = False  # the file could not be read as a table: its one problem says why

    @property
    def ok(self) -> bool:
        return self.problem_total == 0

    @property
    def truncated(self) -> bool:
        return self.problem_total > len(self.problems)

    def lines(self) -> Iterator[str]:
        """The report as plain text (command line), one problem a line."""
        yield (
            f"{self.filename}: {self.rows} rows; {self.new} new, {self.already_present} already imported "
            f"(skipped), {self.rows_with_errors} with errors"
            + (f", {self.header_problems} problems in the header row" if self.header_problems else "")
            + ". Row 1 is the header, row 2 the first data row."
        )
        for problem in self.problems:
            where = "file" if problem.row is None else f"row {problem.row}"
            column = f", column {problem.column}" if problem.column else ""
            yield f"{where}{column}: {problem.reason}"
        if self.truncated:
            yield f"... and {self.problem_total - len(self.problems)} more problems ({self.problem_total} in all)."


class ImportRejected(ServiceError):
    """The file has problems, so nothing was imported; `report` lists them."""

    status_code = 422
    title = "Nothing was imported"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{report.filename}: {report.problem_total} problem(s); nothing was imported.")
        self.report = report


_Item = tuple[int, int, str, str]  # (row, column's position in the header or -1, column, reason): sorts as shown


class Collector:
    """Problems as they are found, in row, then file column order.

    The header's (row 1) are kept apart; the data rows' are sorted a chunk at a time (each chunk's
    rows come after the last one's), and only the first MAX_SHOWN are kept, with the count: a file
    whose every cell is wrong held a tuple per cell, gigabytes for the largest upload.
    """

    def __init__(self, header: Sequence[str]) -> None:
        self.order = {name: position for position, name in enumerate(header) if name}
        self.header_items: list[_Item] = []
        self.items: list[_Item] = []  # the current chunk's
        self.bad_rows: set[int] = set()  # the current chunk's
        self.shown: list[_Item] = []
        self.total = 0
        self.rows_with_errors = 0

    @property
    def any(self) -> bool:
        return bool(self.header_items or self.items or self.total)

    def add(self, row: int, column: str, reason: str) -> None:
        item = (row, self.order.get(column, -1), _shortened(column), _shortened(reason))
        if row > HEADER_ROW:
            self.items.append(item)
            self.bad_rows.add(row)
        else:
            self.header_items.append(item)

    def cells(self, rows: Iterable[int], column: str, reasons: Iterable[str]) -> None:
        for row, reason in zip(rows, reasons, strict=True):
            self.add(int(row), column, reason)

    def where(self, column: str, values: pd.Series, bad: pd.Series, reason: Callable[[str, int], str]) -> None:
        """Report each cell of `values` where `bad` holds, with `reason(value, row)`."""
        chosen = values[bad.to_numpy(dtype=bool)]
        self.cells(chosen.index, column, [reason(value, row) for row, value in zip(chosen.index, chosen, strict=True)])

    def required(self, column: str, values: pd.Series, bad: pd.Series, reason: Callable[[str, int], str]) -> None:
        """Report blank cells, then the cells where `bad` holds."""
        blank = values == ""
        self.where(column, values, blank, lambda _value, _row: "must not be blank")
        self.where(column, values, bad & ~blank, reason)

    def end_chunk(self) -> set[int]:
        """Close the current chunk; returns its rows with problems."""
        self.total += len(self.items)
        if len(self.shown) < MAX_SHOWN:
            self.shown += sorted(self.items)[: MAX_SHOWN - len(self.shown)]
        bad, self.items, self.bad_rows = self.bad_rows, [], set()
        self.rows_with_errors += len(bad)
        return bad

    def report(self, report: ImportReport) -> ImportReport:
        shown = sorted(self.header_items) + self.shown
        report.problems = [Problem(row, column, reason) for row, _, column, reason in shown[:MAX_SHOWN]]
        report.problem_total = len(self.header_items) + self.total
        report.rows_with_errors = self.rows_with_errors
        report.header_problems = len(self.header_items)
        return report


def _shortened(text: str) -> str:
    """`text`, or its start and end (where a reason says what is wrong) around a note of what was left out."""
    if len(text) <= MAX_SHOWN_CHARS:
        return text
    head = tail = MAX_SHOWN_CHARS // 2
    return f"{text[:head]}... ({len(text) - head - tail:,} characters left out) ...{text[-tail:]}"

"""The asset log as CSV: export, and an all-or-nothing import checked by a dry run first.

Rows are numbered from 1 at the first data row (the header is row 0), counting blank
lines, so "row 7" is spreadsheet line 8. A row whose slug already belongs to this
community updates that asset; a new slug creates one; a slug of another community is an
error (slugs name export columns, so they are unique everywhere). The import changes
nothing unless every row is valid, and then changes everything in the caller's transaction.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import select

from analysis.cells import FORMULA_STARTS
from survey.assets.fields import ASSET_COLUMNS, AssetFields, clean_asset
from survey.assets.operations import apply_fields, changed_columns, community_assets
from survey.extensions import db
from survey.models import Asset, Community

CSV_COLUMNS = (*ASSET_COLUMNS, "retired")
# Columns added after files were first exported: a file without one keeps the stored values.
OPTIONAL_COLUMNS = ("cost_year", "question_phrase", "run_by", "latitude", "longitude", "postcode")
TEXT_COLUMNS = ("name", "description", "location", "run_by")
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}
# C0 control characters other than tab, line feed and carriage return: never typed into a cell, and
# PostgreSQL cannot store NUL in text at all (SQLite would keep it and pass it on to every export).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be imported: row 0 is the header, 1 the first data row."""

    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class PlannedRow:
    """A valid row and what importing it does to the log."""

    row: int
    values: AssetFields
    retired: bool
    action: str  # "create", "update" or "unchanged"


class Planned(Protocol):
    @property
    def action(self) -> str:  # "create", "update" or "unchanged"
        ...


RowT = TypeVar("RowT", bound=Planned)


@dataclass
class CheckReport(Generic[RowT]):
    """What a CSV upload would do (or did): its planned rows, and every problem that stops it."""

    problems: list[Problem] = field(default_factory=list)
    rows: list[RowT] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


ImportReport = CheckReport[PlannedRow]


def export_assets(community: Community) -> str:
    """The community's whole asset log (active and retired) as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for asset in community_assets(community):
        writer.writerow(
            [
                asset.slug,
                guard_formula(asset.name),
                asset.kind,
                guard_formula(asset.description),
                guard_formula(asset.location),
                "" if asset.annual_cost is None else f"{asset.annual_cost:.2f}",
                "" if asset.cost_year is None else asset.cost_year,
                ";".join(asset.sixways_dimensions or []),
                asset.question_phrase,
                guard_formula(asset.run_by),
                # repr of a float reads back as the same float: an unedited file re-imports unchanged.
                "" if asset.latitude is None else repr(asset.latitude),
                "" if asset.longitude is None else repr(asset.longitude),
                asset.postcode,
                "yes" if asset.retired else "no",
            ]
        )
    return buffer.getvalue()


def guard_formula(text: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula ("CSV injection"; descriptions and reasons can
    hold residents' own words): exported behind a quote mark, which `unguard_formula` strips on import."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unguard_formula(text: str) -> str:
    """Undo `guard_formula` on import."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def read_records(
    text: str, report: CheckReport[Any], required: Sequence[str], known: Sequence[str]
) -> tuple[list[str], list[list[str]]] | None:
    """The header (trimmed, lower case) and the data records of a CSV upload, or None when the file
    cannot be read or its header is wrong (the problems are then in `report`)."""
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        report.problems.append(Problem(0, "", f"The file is not readable as CSV ({error})."))
        return None
    if CONTROL_CHARACTERS.search(text):  # one pass over the text; cells are searched only when it finds one
        report.problems.extend(_control_character_problems(records))
    if not records or not any(cell.strip() for cell in records[0]):
        report.problems.append(Problem(0, "", "The file is empty: the first line must name the columns."))
        return None
    if len(records[0]) == 1 and (";" in records[0][0] or "\t" in records[0][0]):
        # A European Excel's "CSV" (or a tab-separated file): every column was missing, one unknown.
        report.problems.append(
            Problem(
                0,
                "",
                "The columns are separated by semicolons or tabs, not commas. In your spreadsheet, save the "
                "file as CSV UTF-8 (Comma delimited) and try again.",
            )
        )
        return None
    header = [name.strip().lower() for name in records[0]]
    for name in required:
        if name not in header:
            report.problems.append(Problem(0, name, "This column is missing from the header."))
    for name in header:
        if name not in known:
            report.problems.append(Problem(0, name or "(blank)", f"Unknown column; use: {', '.join(known)}."))
    for name in sorted({name for name in header if header.count(name) > 1}):
        report.problems.append(Problem(0, name, "This column appears more than once."))
    return (header, records[1:]) if report.ok else None


def _control_character_problems(records: list[list[str]]) -> list[Problem]:
    """One problem per cell holding a control character, named by row and column (header name or position)."""
    header = [name.strip().lower() for name in records[0]] if records else []
    problems = []
    for number, record in enumerate(records):
        for position, cell in enumerate(record):
            found = CONTROL_CHARACTERS.search(cell)
            if found is None:
                continue
            named = header[position] if number > 0 and position < len(header) and header[position] else ""
            column = named or f"column {position + 1}"
            code = ord(found.group())
            what = "a NUL byte (U+0000)" if code == 0 else f"the control character U+{code:04X}"
            reason = f"This cell holds {what}; remove it (tabs and line breaks are fine)."
            problems.append(Problem(number, column, reason))
    return problems


def check_import(community: Community, text: str) -> ImportReport:
    """The dry run: check every row and say what importing `text` would do."""
    report = ImportReport()
    required = [name for name in CSV_COLUMNS if name not in OPTIONAL_COLUMNS]
    read = read_records(text, report, required, CSV_COLUMNS)
    if read is None:
        return report
    header, records = read
    checker = _RowChecker(community, header, report, _stored_assets(header, records))
    for number, record in enumerate(records, start=1):
        if any(cell.strip() for cell in record):  # a blank line imports nothing but keeps the numbering
            checker.check(number, record)
    if not report.rows and report.ok:
        report.problems.append(Problem(0, "", "The file has a header but no assets."))
    return report


def _stored_assets(header: list[str], records: list[list[str]]) -> dict[str, Asset]:
    """The stored assets whose slugs the file names (any community), in one query."""
    position = header.index("slug")
    slugs = {record[position].strip() for record in records if len(record) > position}
    if not slugs:
        return {}
    return {asset.slug: asset for asset in db.session.scalars(select(Asset).where(Asset.slug.in_(slugs)))}


class _RowChecker:
    def __init__(self, community: Community, header: list[str], report: ImportReport, stored: dict[str, Asset]) -> None:
        self.community, self.header, self.report, self.stored = community, header, report, stored
        self.seen: dict[str, int] = {}  # slug -> first row using it

    def check(self, number: int, record: list[str]) -> None:
        if len(record) != len(self.header):
            self.report.problems.append(
                Problem(number, "", f"This row has {len(record)} values; the header names {len(self.header)} columns.")
            )
            return
        raw = dict(zip(self.header, record, strict=True))
        stored = self.stored.get(raw["slug"].strip())
        for column in OPTIONAL_COLUMNS:
            if column not in raw:
                kept = getattr(stored, column) if stored is not None else None
                raw[column] = "" if kept is None else str(kept)
        for column in TEXT_COLUMNS:
            raw[column] = unguard_formula(raw[column].strip())
        values, problems = clean_asset(raw)
        row_problems = [Problem(number, column, reason) for column, reason in problems.items()]
        retired_text = raw["retired"].strip().lower()
        if retired_text not in TRUE_WORDS | FALSE_WORDS:
            row_problems.append(Problem(number, "retired", "Use yes or no (blank means no)."))
        if "slug" not in problems:
            row_problems.extend(self._slug_problems(number, raw["slug"].strip()))
        self.report.problems.extend(sorted(row_problems, key=lambda p: CSV_COLUMNS.index(p.column)))
        if row_problems or values is None:
            return
        retired = retired_text in TRUE_WORDS
        action = _action(self.stored.get(values.slug), values, retired)
        self.report.rows.append(PlannedRow(number, values, retired, action))

    def _slug_problems(self, number: int, slug: str) -> list[Problem]:
        if slug in self.seen:
            return [Problem(number, "slug", f"The web address {slug} is already used in row {self.seen[slug]}.")]
        self.seen[slug] = number
        owner = self.stored.get(slug)
        if owner is not None and owner.community_id != self.community.id:
            return [Problem(number, "slug", f"The web address {slug} belongs to an asset of {owner.community.name}.")]
        return []


def _action(existing: Asset | None, values: AssetFields, retired: bool) -> str:
    if existing is None:
        return "create"
    changed = changed_columns(existing, values) or existing.retired != retired
    return "update" if changed else "unchanged"


def import_assets(community: Community, text: str) -> ImportReport:
    """Import `text` if every row is valid (else change nothing); the caller commits."""
    report = check_import(community, text)
    if not report.ok:
        return report
    stored = _stored_assets(["slug"], [[row.values.slug] for row in report.rows])
    for planned in report.rows:
        asset = stored.get(planned.values.slug)
        if asset is None:
            asset = Asset(
                community=community,
                slug=planned.values.slug,
                name=planned.values.name,
                kind=planned.values.kind,
                retired=planned.retired,
            )
            db.session.add(asset)
            apply_fields(asset, planned.values)
        elif planned.action == "update":
            apply_fields(asset, planned.values)
            if asset.retired != planned.retired:
                asset.retired = planned.retired
    db.session.flush()
    return report

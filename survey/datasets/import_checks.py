"""Checking a response file before anything is written: every problem as (row, column, reason), and
the plan of what an import would insert."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import instruments
from analysis.columns import (
    DEMOGRAPHIC_COLUMNS,
    PARADATA_COLUMNS,
    asset_column,
    asset_value_column,
    blank_missing_codes,
    kind_columns,
    ons4_items,
    score_columns,
    sixways_items,
    wemwbs_items,
)
from instruments.answers import quoted
from survey.campaigns.operations import campaign_sections
from survey.datasets.files import (
    CONTROL,
    HEADER_ROW,
    TextTable,
)
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import MODES, Campaign, CampaignAsset, Response

MAX_SHOWN = 500  # problems listed; the report also gives the total


REQUIRED_COLUMNS = ("response_id", "community", "campaign", "mode", "submitted_at")


OPTIONAL_COLUMNS = ("verified",)


# Online responses' public ids are 32 hex digits; other tools' ids must fit the same column and be
# safe to show in a URL, a file name or a spreadsheet.
# It starts with a letter or digit, so no spreadsheet reads it as a formula (CSV exports would
# otherwise prefix a leading "-" with a quote and change the id).
RESPONSE_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


# SQLite allows 32,766 bound parameters per statement; stay far below on every backend.
LOOKUP_CHUNK = 2000


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
            f"(skipped), {self.rows_with_errors} with errors. Row 1 is the header, row 2 the first data row."
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


@dataclass
class ImportPlan:
    """The checked rows that an import would insert, in file order."""

    items: pd.DataFrame  # item and asset columns present in the file, blank = NA
    response_ids: list[str]
    campaigns: list[Campaign]
    modes: list[str]
    submitted_at: list[datetime]
    verified: list[bool]


class _Collector:
    """Problems as they are found; sorted into row, then file column order at the end."""

    def __init__(self, header: Sequence[str]) -> None:
        self.order = {name: position for position, name in enumerate(header) if name}
        self.items: list[tuple[int, int, str, str]] = []
        self.bad_rows: set[int] = set()

    def add(self, row: int, column: str, reason: str) -> None:
        self.items.append((row, self.order.get(column, -1), column, reason))
        if row > HEADER_ROW:
            self.bad_rows.add(row)

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

    def report(self, report: ImportReport) -> ImportReport:
        problems = [Problem(row, column, reason) for row, _, column, reason in sorted(self.items)]
        report.problem_total = len(problems)
        report.problems = problems[:MAX_SHOWN]
        report.rows_with_errors = len(self.bad_rows)
        return report


def _item_columns(asset_slugs: Iterable[str]) -> set[str]:
    columns = {*DEMOGRAPHIC_COLUMNS, *ons4_items(), *wemwbs_items(), *sixways_items()}
    for slug in asset_slugs:
        columns |= {asset_column(slug), asset_value_column(slug)}
    return columns


def asset_slug(column: str) -> str:
    return column.removeprefix("asset_").removesuffix("_value")


def _check_header(table: TextTable, found: _Collector) -> dict[str, int]:
    """Header problems; returns {column name: position} of the columns to read (the first of duplicates)."""
    known_slugs = set(db.session.scalars(select(CampaignAsset.slug).distinct()))
    allowed = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS} | _item_columns(known_slugs)
    # Scores are recomputed from the items; paradata describes how the exporting system collected
    # the row (an imported response gets its own), so an export's file imports as it is.
    derived = {*score_columns(), *kind_columns(), *PARADATA_COLUMNS}
    usable: dict[str, int] = {}
    seen: dict[str, int] = {}
    for position, name in enumerate(table.header):
        if not name:
            if (table.cells[position] != "").any():
                found.add(HEADER_ROW, f"column {position + 1}", "this column has values but no name in the header")
            continue
        if name in seen:
            found.add(HEADER_ROW, name, f"the column appears more than once (first as column {seen[name] + 1})")
            continue
        seen[name] = position
        if name in derived:
            continue  # recomputed from the items
        if name in allowed:
            usable[name] = position
        elif name.startswith("asset_"):
            found.add(HEADER_ROW, name, f"no campaign asked about an asset {quoted(asset_slug(name))}: check the slug")
        else:
            found.add(HEADER_ROW, name, "not a column of the dataset format (see the codebook)")
    for name in REQUIRED_COLUMNS:
        if name not in usable:
            found.add(HEADER_ROW, name, "this required column is missing")
    return usable


def _load_campaigns(slugs: Iterable[str]) -> dict[str, Campaign]:
    wanted = sorted({slug for slug in slugs if slug})
    query = (
        select(Campaign)
        .where(Campaign.slug.in_(wanted))
        .options(selectinload(Campaign.instruments), selectinload(Campaign.assets), selectinload(Campaign.community))
    )
    return {campaign.slug: campaign for campaign in db.session.scalars(query)} if wanted else {}


def _campaign_problem(campaign: Campaign | None, slug: str) -> str | None:
    if campaign is None:
        return f"there is no campaign {quoted(slug)}"
    if campaign.practice:
        return f"campaign {quoted(slug)} is a practice campaign: practice responses are never imported"
    if not campaign.instruments:
        return f"campaign {quoted(slug)} has not been opened, so its questionnaire is not fixed yet: open it first"
    return None


def _stored_campaigns(public_ids: Sequence[str]) -> dict[str, str]:
    """{public id: campaign slug} of the responses already stored under these ids.

    Rows another import is still writing ("importing") are not stored yet: if that import
    publishes first, this one's insert meets the unique id and stops with nothing published.
    """
    stored: dict[str, str] = {}
    for start in range(0, len(public_ids), LOOKUP_CHUNK):
        rows = db.session.execute(
            select(Response.public_id, Campaign.slug)
            .join(Campaign, Campaign.id == Response.campaign_id)
            .where(Response.public_id.in_(public_ids[start : start + LOOKUP_CHUNK]), Response.status != "importing")
        )
        stored.update({public_id: slug for public_id, slug in rows})
    return stored


def _check_ids(frame: pd.DataFrame, found: _Collector) -> None:
    ids = frame["response_id"]
    found.required(
        "response_id",
        ids,
        ~ids.map(lambda value: bool(RESPONSE_ID_PATTERN.fullmatch(value))).astype(bool),
        lambda value, _row: (
            f"{quoted(value)} must be 1-32 characters of letters, digits, - and _, starting with a letter or digit"
        ),
    )
    first_row = {value: row for row, value in zip(frame.index[::-1], ids[::-1], strict=True)}
    found.where(
        "response_id",
        ids,
        ids.duplicated() & (ids != ""),
        lambda value, _row: f"{quoted(value)} appears more than once (first in row {first_row[value]})",
    )


def _check_campaigns(frame: pd.DataFrame, found: _Collector) -> dict[str, Campaign]:
    """Campaign and community checks; returns the campaigns rows may be imported into, by slug."""
    slugs = frame["campaign"]
    campaigns = _load_campaigns(slugs)
    problems = {slug: _campaign_problem(campaigns.get(slug), slug) for slug in set(slugs) if slug}
    found.required(
        "campaign",
        slugs,
        slugs.map(lambda slug: problems.get(slug) is not None),
        lambda slug, _row: str(problems[slug]),
    )
    owner = slugs.map(lambda slug: campaigns[slug].community.slug if slug in campaigns else "")
    found.required(
        "community",
        frame["community"],
        (owner != "") & (frame["community"] != owner),
        lambda value, row: (
            f"{quoted(value)} does not match campaign {quoted(slugs[row])}, "
            f"which belongs to community {quoted(owner[row])}"
        ),
    )
    return {slug: campaigns[slug] for slug, problem in problems.items() if problem is None}


def _check_response_fields(frame: pd.DataFrame, found: _Collector) -> tuple[pd.Series, pd.Series]:
    """mode, verified and submitted_at; returns (submitted_at as UTC timestamps, verified as numbers)."""
    found.required(
        "mode",
        frame["mode"],
        ~frame["mode"].isin(MODES),
        lambda value, _row: f"{quoted(value)} is not one of {', '.join(MODES)}",
    )
    verified = frame["verified"] if "verified" in frame else pd.Series("", index=frame.index)
    number = pd.to_numeric(verified.where(verified != ""), errors="coerce")
    found.where(
        "verified",
        verified,
        (verified != "") & ~number.isin([0, 1]),
        lambda value, _row: f"{quoted(value)} must be 0 or 1 (blank means 1, verified)",
    )
    text = frame["submitted_at"]
    stamps = pd.to_datetime(text.where(text != ""), utc=True, format="ISO8601", errors="coerce")
    found.required(
        "submitted_at",
        text,
        stamps.isna(),
        lambda value, _row: f"{quoted(value)} is not an ISO 8601 date and time, e.g. 2024-05-01T14:30:00Z",
    )
    return stamps, number


def _always(reason: str) -> Callable[[str, int], str]:
    """A `reason` for `_Collector.where` that gives the same message for every cell."""
    return lambda _value, _row: reason


def _check_items(found: _Collector, items: pd.DataFrame, campaign: Campaign) -> None:
    """Codes valid for the questions this campaign asked (its frozen versions); the others must be blank."""
    sections = campaign_sections(campaign)
    asked = {item.key for section in sections for item in section.items if item.type != "text"}
    for error in instruments.validate_codes(items[[c for c in items if c in asked]], sections, max_errors=None):
        found.add(int(items.index[error.row - 1]), error.column, error.message)
    for column in items.columns:
        if column in asked:
            continue
        if column.startswith("asset_"):
            reason = (
                f"campaign {quoted(campaign.slug)} did not ask about asset {quoted(asset_slug(column))}: leave it blank"
            )
        else:
            reason = f"campaign {quoted(campaign.slug)} did not ask this question: leave it blank"
        found.where(column, items[column], items[column].notna(), _always(reason))


def _check_controls(table: TextTable, found: _Collector) -> None:
    """Cells holding C0 control characters (tab, LF and CR aside), by row and column."""
    for row, position, character in table.controls:
        name = table.header[position] if position < len(table.header) else ""
        column = name if name and not CONTROL.search(name) else f"column {position + 1}"
        found.add(
            row,
            column,
            f"holds the control character U+{ord(character):04X}, which no spreadsheet shows: remove it",
        )


def _check_partial(table: TextTable, found: _Collector) -> None:
    """A partial response of an export (`--include-partial`) was never submitted: imported, it would count."""
    if "status" in table.header:
        status = table.cells[table.header.index("status")]
        reason = "a partial response (never submitted) is not imported: export without partial responses"
        found.where("status", status, status.str.lower() == "partial", _always(reason))


def check_table(table: TextTable, filename: str) -> tuple[ImportReport, ImportPlan | None]:
    found = _Collector(table.header)
    report = ImportReport(filename=filename, rows=len(table.cells))
    _check_controls(table, found)
    usable = _check_header(table, found)
    if any(name not in usable for name in REQUIRED_COLUMNS):
        return found.report(report), None  # rows cannot be matched to campaigns without these
    frame = pd.DataFrame({name: table.cells[position] for name, position in usable.items()}, index=table.cells.index)
    _check_ids(frame, found)
    campaigns = _check_campaigns(frame, found)
    stamps, verified = _check_response_fields(frame, found)
    _check_partial(table, found)
    item_names = [name for name in usable if name not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)]
    # An export written with missing-data codes imports too: every code is a missing answer.
    items = pd.DataFrame(
        {name: blank_missing_codes(frame[name].where(frame[name] != "")) for name in item_names}, index=frame.index
    )
    for slug, campaign in sorted(campaigns.items()):
        _check_items(found, items[(frame["campaign"] == slug).to_numpy()], campaign)

    ids = frame["response_id"]
    stored = _stored_campaigns(sorted(set(ids[ids != ""])))
    stored_in = ids.map(lambda value: stored.get(value, ""))
    found.where(
        "response_id",
        ids,
        (stored_in != "") & (stored_in != frame["campaign"]),
        lambda value, _row: f"{quoted(value)} is already the id of a response in campaign {quoted(stored[value])}",
    )

    found.report(report)
    clean = ~frame.index.isin(sorted(found.bad_rows))
    present = clean & (stored_in != "").to_numpy(dtype=bool)
    new = clean & ~present
    report.already_present = int(present.sum())
    report.new = int(new.sum())
    new_campaigns = frame["campaign"][new]
    report.new_by_campaign = {str(slug): int(n) for slug, n in new_campaigns.value_counts().sort_index().items()}
    if not report.ok:
        return report, None
    return report, ImportPlan(
        items=items[new],
        response_ids=list(ids[new]),
        campaigns=[campaigns[slug] for slug in new_campaigns],
        modes=list(frame["mode"][new]),
        submitted_at=[stamp.to_pydatetime() for stamp in stamps[new]],
        verified=[bool(number != 0) for number in verified[new]],  # NaN (blank) != 0: verified
    )

"""Import responses collected elsewhere (a previous round, another tool) from a file in the dataset format.

The format is `analysis.dataset`'s ``responses.csv`` (``docs/codebook.md``), as CSV, Excel or a
dataset .zip (`response_files`). Every cell is checked before anything is written, and every
problem is reported as (row, column, reason) with **spreadsheet row numbers: row 1 is the header,
row 2 the first data row, as in Excel**. The import writes all new rows or none.

Decisions where the issue is silent:

- Score columns and ``assets_used_<kind>`` are derived: they are ignored on import, because
  scores are always recomputed from the items (a hand-edited score could never disagree).
- Blank item cells are allowed, even for items the online survey requires: other tools (and paper)
  let people skip questions, and scoring uses complete cases, so a blank leaves that score blank
  instead of stopping the whole file.
- ``verified`` blank (or the column absent) means 1, verified: a file from elsewhere has no second
  keying to wait for. A ``submitted_at`` without a time zone is taken as UTC, the dataset's convention.
- Campaigns must be opened (their instrument versions and asset list are frozen then) and not
  practice runs; closed campaigns are fine, since a previous round is the usual source.
- ``response_id`` becomes the response's public id. One already stored *in the same campaign* is
  the same response imported before: it is skipped and counted, so a re-import adds nothing. One
  stored in another campaign is an error: an id must identify one response.
- Responses are written with bulk INSERTs (an ORM object per answer would take minutes for
  tens of thousands of responses), which the automatic audit listener does not see, so the import
  records one audit event of its own: who, the file's name and SHA-256 (the entity id), counts per
  campaign and every response id it added. Each response also names the importer in ``entered_by``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import selectinload

import instruments
from analysis.columns import (
    DEMOGRAPHIC_COLUMNS,
    asset_column,
    asset_value_column,
    kind_columns,
    ons4_items,
    score_columns,
    sixways_items,
    wemwbs_items,
)

from ..database import utcnow
from ..extensions import db
from ..models import MODES, Answer, AssetUse, AuditEvent, Campaign, CampaignAsset, Response, User
from .campaigns import campaign_sections
from .exceptions import ServiceError
from .response_files import HEADER_ROW, SUFFIXES, TextTable, UnreadableFile, read_table, sha256, suffix_of

__all__ = [
    "MAX_SHOWN",
    "SUFFIXES",
    "ImportRejected",
    "ImportReport",
    "Problem",
    "dry_run",
    "import_responses",
    "sha256",
    "suffix_of",
]

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
AUDIT_ENTITY = "response_import"


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
class _Plan:
    """The checked rows that an import would insert, in file order."""

    items: pd.DataFrame  # item and asset columns present in the file, blank = NA
    response_ids: list[str]
    campaigns: list[Campaign]
    modes: list[str]
    submitted_at: list[datetime]
    verified: list[bool]


# --- checking ------------------------------------------------------------------------------------


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
        self.cells(chosen.index, column, [reason(value, row) for row, value in chosen.items()])

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


def _asset_slug(column: str) -> str:
    return column.removeprefix("asset_").removesuffix("_value")


def _check_header(table: TextTable, found: _Collector) -> dict[str, int]:
    """Header problems; returns {column name: position} of the columns to read (the first of duplicates)."""
    known_slugs = set(db.session.scalars(select(CampaignAsset.slug).distinct()))
    allowed = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS} | _item_columns(known_slugs)
    derived = {*score_columns(), *kind_columns()}
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
            found.add(HEADER_ROW, name, f"no campaign asked about an asset {_asset_slug(name)!r}: check the slug")
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
        return f"there is no campaign {slug!r}"
    if campaign.practice:
        return f"campaign {slug!r} is a practice campaign: practice responses are never imported"
    if not campaign.instruments:
        return f"campaign {slug!r} has not been opened, so its questionnaire is not fixed yet: open it first"
    return None


def _stored_campaigns(public_ids: Sequence[str]) -> dict[str, str]:
    """{public id: campaign slug} of the responses already stored under these ids."""
    stored: dict[str, str] = {}
    for start in range(0, len(public_ids), LOOKUP_CHUNK):
        rows = db.session.execute(
            select(Response.public_id, Campaign.slug)
            .join(Campaign, Campaign.id == Response.campaign_id)
            .where(Response.public_id.in_(public_ids[start : start + LOOKUP_CHUNK]))
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
            f"{value!r} must be 1-32 characters of letters, digits, - and _, starting with a letter or digit"
        ),
    )
    first_row = {value: row for row, value in zip(frame.index[::-1], ids[::-1], strict=True)}
    found.where(
        "response_id",
        ids,
        ids.duplicated() & (ids != ""),
        lambda value, _row: f"{value!r} appears more than once (first in row {first_row[value]})",
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
            f"{value!r} does not match campaign {slugs[row]!r}, which belongs to community {owner[row]!r}"
        ),
    )
    return {slug: campaigns[slug] for slug, problem in problems.items() if problem is None}


def _check_response_fields(frame: pd.DataFrame, found: _Collector) -> tuple[pd.Series, pd.Series]:
    """mode, verified and submitted_at; returns (submitted_at as UTC timestamps, verified as numbers)."""
    found.required(
        "mode",
        frame["mode"],
        ~frame["mode"].isin(MODES),
        lambda value, _row: f"{value!r} is not one of {', '.join(MODES)}",
    )
    verified = frame["verified"] if "verified" in frame else pd.Series("", index=frame.index)
    number = pd.to_numeric(verified.where(verified != ""), errors="coerce")
    found.where(
        "verified",
        verified,
        (verified != "") & ~number.isin([0, 1]),
        lambda value, _row: f"{value!r} must be 0 or 1 (blank means 1, verified)",
    )
    text = frame["submitted_at"]
    stamps = pd.to_datetime(text.where(text != ""), utc=True, format="ISO8601", errors="coerce")
    found.required(
        "submitted_at",
        text,
        stamps.isna(),
        lambda value, _row: f"{value!r} is not an ISO 8601 date and time, e.g. 2024-05-01T14:30:00Z",
    )
    return stamps, number


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
            reason = f"campaign {campaign.slug!r} did not ask about asset {_asset_slug(column)!r}: leave it blank"
        else:
            reason = f"campaign {campaign.slug!r} did not ask this question: leave it blank"
        found.where(column, items[column], items[column].notna(), lambda _value, _row, reason=reason: reason)


def _check(table: TextTable, filename: str) -> tuple[ImportReport, _Plan | None]:
    found = _Collector(table.header)
    report = ImportReport(filename=filename, rows=len(table.cells))
    usable = _check_header(table, found)
    if any(name not in usable for name in REQUIRED_COLUMNS):
        return found.report(report), None  # rows cannot be matched to campaigns without these
    frame = pd.DataFrame({name: table.cells[position] for name, position in usable.items()}, index=table.cells.index)
    _check_ids(frame, found)
    campaigns = _check_campaigns(frame, found)
    stamps, verified = _check_response_fields(frame, found)
    item_names = [name for name in usable if name not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)]
    items = pd.DataFrame({name: frame[name].where(frame[name] != "") for name in item_names}, index=frame.index)
    for slug, campaign in sorted(campaigns.items()):
        _check_items(found, items[(frame["campaign"] == slug).to_numpy()], campaign)

    ids = frame["response_id"]
    stored = _stored_campaigns(sorted(set(ids[ids != ""])))
    stored_in = ids.map(lambda value: stored.get(value, ""))
    found.where(
        "response_id",
        ids,
        (stored_in != "") & (stored_in != frame["campaign"]),
        lambda value, _row: f"{value!r} is already the id of a response in campaign {stored[value]!r}",
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
    return report, _Plan(
        items=items[new],
        response_ids=list(ids[new]),
        campaigns=[campaigns[slug] for slug in new_campaigns],
        modes=list(frame["mode"][new]),
        submitted_at=[stamp.to_pydatetime() for stamp in stamps[new]],
        verified=[bool(number != 0) for number in verified[new]],  # NaN (blank) != 0: verified
    )


def _checked(data: bytes, filename: str, max_bytes: int | None) -> tuple[ImportReport, _Plan | None]:
    try:
        table = read_table(data, filename, max_bytes)
    except UnreadableFile as error:
        return ImportReport(filename=filename, problems=[Problem(None, "", str(error))], problem_total=1), None
    return _check(table, filename)


def dry_run(data: bytes, filename: str, *, max_bytes: int | None = None) -> ImportReport:
    """Check every cell of an upload and count what an import would do; writes nothing.

    `max_bytes` bounds the uncompressed ``responses.csv`` inside a .zip upload.
    """
    report, _plan = _checked(data, filename, max_bytes)
    return report


# --- importing -----------------------------------------------------------------------------------


def import_responses(
    data: bytes, filename: str, importer: User | None, *, actor_label: str | None = None, max_bytes: int | None = None
) -> ImportReport:
    """Check the file again and insert every new response in the caller's transaction (flushed, not committed).

    Raises `ImportRejected` with the report, having written nothing, if any cell has a problem.
    `importer` becomes each response's ``entered_by`` and the audit event's actor (None and
    `actor_label` for a command-line import).
    """
    report, plan = _checked(data, filename, max_bytes)
    if plan is None:
        raise ImportRejected(report)
    report.added = len(_insert(plan, importer))
    if not report.added:
        return report  # everything was imported before: nothing happened worth an audit event
    db.session.add(
        AuditEvent(
            actor_id=importer.id if importer is not None else None,
            actor_label=actor_label or (importer.email if importer is not None else "system"),
            action="create",
            entity_type=AUDIT_ENTITY,
            entity_id=sha256(data),
            changes={
                "file": [None, filename],
                "responses_added": [None, report.added],
                "already_imported_skipped": [None, report.already_present],
                "campaigns": [None, report.new_by_campaign],
                "response_ids": [None, plan.response_ids],
            },
        )
    )
    db.session.flush()
    return report


def _insert(plan: _Plan, importer: User | None) -> list[int]:
    """Bulk-insert the planned responses, their answers and asset answers; returns the new response ids."""
    if not plan.response_ids:
        return []
    ids = _insert_responses(plan, importer)
    answers, uses = _answer_rows(plan, ids)
    _bulk_insert(Answer.__table__, answers)
    _bulk_insert(AssetUse.__table__, uses)
    return [int(i) for i in ids]


def _bulk_insert(table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL, executemany elsewhere.

    psycopg's executemany sends one INSERT per row (pipelined): 300,000 answers took 15 s, COPY
    takes about one. SQLite's executemany is already fast. Table and column names are ours, never
    a user's, and are quoted as identifiers all the same.
    """
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    from psycopg import sql  # only installed where PostgreSQL is used

    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
    )
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])
    finally:
        cursor.close()


def _insert_responses(plan: _Plan, importer: User | None) -> np.ndarray:
    now = utcnow()
    versions = {
        campaign.id: {link.instrument_version.key: link.instrument_version.version for link in campaign.instruments}
        for campaign in set(plan.campaigns)
    }
    rows = [
        {
            "public_id": public_id,
            "campaign_id": campaign.id,
            "community_id": campaign.community_id,
            "mode": mode,
            "instrument_versions": versions[campaign.id],
            "consent": True,
            "status": "complete",
            # The real start time is unknown; the submission time is the nearest fact we have.
            "started_at": submitted,
            "updated_at": now,
            "submitted_at": submitted,
            "entered_by_id": importer.id if importer is not None else None,
            "verified": verified,
        }
        for public_id, campaign, mode, submitted, verified in zip(
            plan.response_ids, plan.campaigns, plan.modes, plan.submitted_at, plan.verified, strict=True
        )
    ]
    table = Response.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return np.asarray(db.session.execute(statement, rows).scalars().all(), dtype=np.int64)


def _answer_rows(plan: _Plan, ids: np.ndarray) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(answer rows, asset-use rows) for every filled item cell of the planned responses."""
    campaign_ids = np.asarray([campaign.id for campaign in plan.campaigns])
    answers: list[dict[str, Any]] = []
    uses: dict[tuple[int, int], dict[str, Any]] = {}
    for column in plan.items.columns:
        values = pd.to_numeric(plan.items[column]).to_numpy(dtype="float64", na_value=np.nan)
        filled = ~np.isnan(values)
        if not column.startswith("asset_"):
            answers.extend(
                {"response_id": int(response_id), "item_key": column, "value": int(value)}
                for response_id, value in zip(ids[filled], values[filled], strict=True)
            )
            continue
        field_name = "importance" if column.endswith("_value") else "frequency"
        for campaign in set(plan.campaigns):
            # The same asset has its own snapshot row in each campaign that asked about it.
            snapshot = next((asset for asset in campaign.assets if asset.slug == _asset_slug(column)), None)
            chosen = filled & (campaign_ids == campaign.id)
            if snapshot is None:
                continue  # checked already: rows of a campaign that did not ask have only blanks here
            for response_id, value in zip(ids[chosen], values[chosen], strict=True):
                row = uses.setdefault(
                    (int(response_id), snapshot.id),
                    {
                        "response_id": int(response_id),
                        "campaign_asset_id": snapshot.id,
                        "frequency": None,
                        "importance": None,
                    },
                )
                row[field_name] = int(value)
    return answers, list(uses.values())

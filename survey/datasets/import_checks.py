"""Checking a response file before anything is written: every problem as (row, column, reason), and
the plan of what an import would insert.

The file is checked a chunk of rows at a time (`files.read_chunks`): every check but two concerns
one row, so it runs on the chunk and is done. The two that look across rows keep what they need:
the response ids seen so far with their first row (duplicates), and the unnamed columns found to
hold values. The plan keeps each new row's numbers, not its text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
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
from survey.datasets.files import CONTROL, HEADER_ROW, TextTable
from survey.datasets.import_report import Collector, ImportReport
from survey.extensions import db
from survey.models import MODES, Campaign, CampaignAsset, Response

REQUIRED_COLUMNS = ("response_id", "community", "campaign", "mode", "submitted_at")


OPTIONAL_COLUMNS = ("verified",)


# Online responses' public ids are 32 hex digits; other tools' ids must fit the same column (64:
# a KoBoToolbox `_uuid` is 36 characters, an ODK `instanceID` "uuid:..." 41) and be safe to show in a
# URL or a spreadsheet (no spaces, quotes or slashes; "." and ":" are kept for those tools' ids).
# It starts with a letter or digit, so no spreadsheet reads it as a formula (CSV exports would
# otherwise prefix a leading "-" with a quote and change the id).
RESPONSE_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
RESPONSE_ID_RULE = "must be 1-64 characters of letters, digits, - _ . and :, starting with a letter or digit"


# SQLite allows 32,766 bound parameters per statement; stay far below on every backend.
LOOKUP_CHUNK = 2000


@dataclass
class ImportPlan:
    """The checked rows that an import would insert, in file order, held compactly (a number a cell)."""

    codes: dict[str, np.ndarray]  # item and asset columns present in the file: float16/32 codes, NaN = blank
    response_ids: list[str]
    campaigns: list[Campaign]
    modes: list[str]
    submitted_at: pd.DatetimeIndex  # UTC
    verified: np.ndarray  # bool


def _item_columns(asset_slugs: Iterable[str]) -> set[str]:
    columns = {*DEMOGRAPHIC_COLUMNS, *ons4_items(), *wemwbs_items(), *sixways_items()}
    for slug in asset_slugs:
        columns |= {asset_column(slug), asset_value_column(slug)}
    return columns


def asset_slug(column: str) -> str:
    return column.removeprefix("asset_").removesuffix("_value")


def _check_header(header: Sequence[str], found: Collector) -> dict[str, int]:
    """Header problems; returns {column name: position} of the columns to read (the first of duplicates)."""
    known_slugs = set(db.session.scalars(select(CampaignAsset.slug).distinct()))
    allowed = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS} | _item_columns(known_slugs)
    # Scores are recomputed from the items; paradata describes how the exporting system collected
    # the row (an imported response gets its own), so an export's file imports as it is.
    derived = {*score_columns(), *kind_columns(), *PARADATA_COLUMNS}
    usable: dict[str, int] = {}
    seen: dict[str, int] = {}
    for position, name in enumerate(header):
        if not name:
            continue  # a problem only if the column holds values (`FileCheck._unnamed_values`)
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


def _check_ids(frame: pd.DataFrame, found: Collector, first_row: dict[str, int]) -> None:
    """Ids: their form, and repeats, in this chunk or of an earlier one (`first_row`: each id's first row)."""
    ids = frame["response_id"]
    found.required(
        "response_id",
        ids,
        ~ids.map(lambda value: bool(RESPONSE_ID_PATTERN.fullmatch(value))).astype(bool),
        lambda value, _row: f"{quoted(value)} {RESPONSE_ID_RULE}",
    )
    repeated = np.zeros(len(ids), dtype=bool)
    for position, (row, value) in enumerate(zip(frame.index, ids, strict=True)):
        if value:
            repeated[position] = first_row.setdefault(value, int(row)) != row
    found.where(
        "response_id",
        ids,
        pd.Series(repeated, index=ids.index),
        lambda value, _row: f"{quoted(value)} appears more than once (first in row {first_row[value]})",
    )


def _check_response_fields(frame: pd.DataFrame, found: Collector) -> tuple[pd.Series, pd.Series]:
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
    """A `reason` for `Collector.where` that gives the same message for every cell."""
    return lambda _value, _row: reason


def _check_items(found: Collector, items: pd.DataFrame, campaign: Campaign) -> None:
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


def _column_name(header: Sequence[str], position: int) -> str:
    """The header's name for a column position; '' for a column without one (or right of the header)."""
    return header[position] if position < len(header) else ""


def _check_controls(chunk: TextTable, found: Collector) -> None:
    """Cells holding C0 control characters (tab, LF and CR aside), by row and column."""
    for row, position, character in chunk.controls:
        name = _column_name(chunk.header, position)
        column = name if name and not CONTROL.search(name) else f"column {position + 1}"
        found.add(
            row,
            column,
            f"holds the control character U+{ord(character):04X}, which no spreadsheet shows: remove it",
        )


def _check_partial(chunk: TextTable, found: Collector) -> None:
    """A partial response of an export (`--include-partial`) was never submitted: imported, it would count."""
    if "status" in chunk.header:
        status = chunk.cells[chunk.header.index("status")]
        reason = "a partial response (never submitted) is not imported: export without partial responses"
        found.where("status", status, status.str.lower() == "partial", _always(reason))


class FileCheck:
    """The check of one file, fed its chunks in order (`add`), then `finish`ed into the report and plan."""

    def __init__(self, header: Sequence[str], filename: str, *, planning: bool) -> None:
        self.header = list(header)
        self.found = Collector(header)
        self.report = ImportReport(filename=filename)
        self.usable = _check_header(header, self.found)
        self.complete = all(name in self.usable for name in REQUIRED_COLUMNS)  # rows can be matched to campaigns
        self.first_row: dict[str, int] = {}
        self.unnamed: set[int] = set()  # positions of columns without a name that hold values
        self.campaigns: dict[str, Campaign] = {}
        self.problems: dict[str, str | None] = {}  # campaign slug -> why rows cannot go there
        self.new_by_campaign: Counter[str] = Counter()
        self.pieces = _Pieces() if planning else None  # None: nothing will be imported, so no rows are kept

    def add(self, chunk: TextTable) -> None:
        """Check the chunk's rows."""
        cells = chunk.cells
        self.report.rows += len(cells)
        _check_controls(chunk, self.found)
        self._unnamed_values(cells)
        if self.complete:
            self._check_rows(chunk)
        else:
            self.found.end_chunk()

    def _unnamed_values(self, cells: pd.DataFrame) -> None:
        for position in map(int, cells.columns):
            if position not in self.unnamed and not _column_name(self.header, position):
                if (cells[position] != "").any():
                    self.unnamed.add(position)

    def _check_rows(self, chunk: TextTable) -> None:
        found = self.found
        frame = pd.DataFrame({name: chunk.cells[position] for name, position in self.usable.items()})
        _check_ids(frame, found, self.first_row)
        campaigns = self._check_campaigns(frame)
        stamps, verified = _check_response_fields(frame, found)
        _check_partial(chunk, found)
        item_names = [name for name in self.usable if name not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)]
        # An export written with missing-data codes imports too: every code is a missing answer.
        items = pd.DataFrame(
            {name: blank_missing_codes(frame[name].where(frame[name] != "")) for name in item_names}, index=frame.index
        )
        for slug in sorted(set(frame["campaign"]) & campaigns.keys()):
            _check_items(found, items[(frame["campaign"] == slug).to_numpy()], campaigns[slug])

        ids = frame["response_id"]
        stored = _stored_campaigns(sorted(set(ids[ids != ""])))
        stored_in = ids.map(lambda value: stored.get(value, ""))
        found.where(
            "response_id",
            ids,
            (stored_in != "") & (stored_in != frame["campaign"]),
            lambda value, _row: f"{quoted(value)} is already the id of a response in campaign {quoted(stored[value])}",
        )

        clean = ~frame.index.isin(sorted(found.end_chunk()))
        present = clean & (stored_in != "").to_numpy(dtype=bool)
        new = clean & ~present
        self.report.already_present += int(present.sum())
        self.report.new += int(new.sum())
        new_campaigns = frame["campaign"][new]
        self.new_by_campaign.update(new_campaigns.tolist())
        if self.pieces is not None and self.found.any:
            self.pieces = None  # nothing will be imported: keep no rows
        if self.pieces is not None:
            self.pieces.add(items[new], list(ids[new]), [campaigns[slug] for slug in new_campaigns])
            self.pieces.modes += frame["mode"][new].tolist()
            self.pieces.stamps.append(pd.DatetimeIndex(stamps[new]))
            self.pieces.verified.append((verified[new] != 0).to_numpy(dtype=bool))  # NaN (blank) != 0: verified

    def _check_campaigns(self, frame: pd.DataFrame) -> dict[str, Campaign]:
        """Campaign and community checks; returns the campaigns rows may be imported into, by slug."""
        slugs = frame["campaign"]
        unseen = {slug for slug in slugs if slug} - self.problems.keys()
        loaded = _load_campaigns(unseen)
        for slug in unseen:
            self.problems[slug] = _campaign_problem(loaded.get(slug), slug)
            if self.problems[slug] is None:
                self.campaigns[slug] = loaded[slug]
        problems, campaigns = self.problems, self.campaigns
        self.found.required(
            "campaign",
            slugs,
            slugs.map(lambda slug: problems.get(slug) is not None),
            lambda slug, _row: str(problems[slug]),
        )
        owner = slugs.map(lambda slug: campaigns[slug].community.slug if slug in campaigns else "")
        self.found.required(
            "community",
            frame["community"],
            (owner != "") & (frame["community"] != owner),
            lambda value, row: (
                f"{quoted(value)} does not match campaign {quoted(slugs[row])}, "
                f"which belongs to community {quoted(owner[row])}"
            ),
        )
        return campaigns

    def finish(self) -> tuple[ImportReport, ImportPlan | None]:
        """The report, and the plan if every cell passed (and it was asked for)."""
        for position in sorted(self.unnamed):
            self.found.add(HEADER_ROW, f"column {position + 1}", "this column has values but no name in the header")
        report = self.found.report(self.report)
        report.new_by_campaign = {slug: self.new_by_campaign[slug] for slug in sorted(self.new_by_campaign)}
        if not report.ok or self.pieces is None:
            return report, None
        self.first_row.clear()  # no longer needed, and as large as the plan's ids: freed first
        return report, self.pieces.plan()


class _Pieces:
    """An import's plan as it grows a chunk at a time: lists extended in place, arrays kept per chunk
    and joined at the end a column at a time (all of them joined at once held two copies)."""

    def __init__(self) -> None:
        self.codes: dict[str, list[np.ndarray]] = {}
        self.response_ids: list[str] = []
        self.campaigns: list[Campaign] = []
        self.modes: list[str] = []
        self.stamps: list[pd.DatetimeIndex] = []
        self.verified: list[np.ndarray] = []

    def add(self, items: pd.DataFrame, response_ids: list[str], campaigns: list[Campaign]) -> None:
        """A chunk's new rows: their item codes as the smallest floats that hold them exactly, ids, campaigns."""
        for name in items.columns:
            codes = pd.to_numeric(items[name]).to_numpy(dtype=np.float32, na_value=np.nan)
            with np.errstate(over="ignore"):  # a number past float16's range becomes inf, and is kept as float32
                small = codes.astype(np.float16)  # whole numbers to 2,048 exactly: every code of the catalogue
            exact = np.array_equal(small, codes, equal_nan=True)
            self.codes.setdefault(str(name), []).append(small if exact else codes)
        self.response_ids += response_ids
        self.campaigns += campaigns

    def plan(self) -> ImportPlan:
        return ImportPlan(
            codes={name: np.concatenate(self.codes.pop(name)) for name in list(self.codes)},
            response_ids=self.response_ids,
            campaigns=self.campaigns,
            modes=self.modes,
            submitted_at=pd.DatetimeIndex(pd.DatetimeIndex([], tz="UTC").append(self.stamps)),
            verified=np.concatenate([np.zeros(0, dtype=bool), *self.verified]),
        )


def check_chunks(
    chunks: Iterator[TextTable], filename: str, *, planning: bool
) -> tuple[ImportReport, ImportPlan | None]:
    """Check a file's chunks (`files.read_chunks`); the plan of what an import would insert if `planning`."""
    first = next(chunks)
    check = FileCheck(first.header, filename, planning=planning)
    check.add(first)
    for chunk in chunks:
        check.add(chunk)
    return check.finish()

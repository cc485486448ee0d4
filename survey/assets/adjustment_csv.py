"""A campaign's SROI adjustments as ``adjustments.csv``: download, and an all-or-nothing upload
checked by a dry run first.

The file is the analysis's format (`analysis.adjustments`): ``asset`` (slug), ``deadweight``,
``attribution``, ``displacement``, ``drop_off`` (fractions 0-1, blank = 0), ``years`` (blank = 1),
``reason`` and ``agreed_by`` (required: who agreed it, valuation.md), and optionally ``agreed_on``
(YYYY-MM-DD) and ``campaign`` (blank or this campaign: an export's file goes back in as it is).
Every problem is reported by row (1 = the first row under the header) and column. A row adds or
replaces that asset's adjustments; assets not in the file keep theirs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.adjustments import ADJUSTMENT_COLUMNS, prepare_adjustments
from instruments.answers import quoted
from survey.assets.adjustments import (
    AdjustmentValues,
    AssetAdjustment,
    as_percent,
    campaign_assets,
    check_fraction,
    clean_values,
    set_adjustment,
)
from survey.assets.csv_files import CheckReport, Problem, guard_formula, read_records, unguard_formula
from survey.models import ADJUSTMENT_FRACTIONS, Campaign, User, ValuationAdjustment

REQUIRED = ("asset", *ADJUSTMENT_FRACTIONS, "years", "reason", "agreed_by")
KNOWN = (*ADJUSTMENT_COLUMNS, "campaign")
# A dataset's adjustments.csv also says where each row was agreed (`source`, e.g. a workshop): read
# and ignored, since an uploaded row was agreed wherever the uploader says, not at that workshop.
ACCEPTED = (*KNOWN, "source")


@dataclass(frozen=True)
class PlannedAdjustment:
    """A valid row and what uploading it does."""

    row: int
    slug: str
    name: str
    values: AdjustmentValues
    action: str  # "create", "update" or "unchanged"


AdjustmentReport = CheckReport[PlannedAdjustment]


def export_adjustments(campaign: Campaign) -> str:
    """The campaign's stored adjustments as ``adjustments.csv`` text (with a ``campaign`` column)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(KNOWN)
    for item in campaign_assets(campaign):
        row = item.adjustment
        if row is None:
            continue
        writer.writerow(
            [
                item.slug,
                *(repr(float(getattr(row, name))) for name in ADJUSTMENT_COLUMNS[1:5]),
                row.years,
                guard_formula(row.reason),
                guard_formula(row.agreed_by or ""),
                row.agreed_on.isoformat() if row.agreed_on else "",
                campaign.slug,
            ]
        )
    return buffer.getvalue()


def check_upload(campaign: Campaign, text: str) -> AdjustmentReport:
    """The dry run: check every row and say what uploading `text` would do."""
    report = AdjustmentReport()
    read = read_records(text, report, REQUIRED, ACCEPTED)
    if read is None:
        return report
    header, records = read
    assets = {item.slug: item for item in campaign_assets(campaign)}
    seen: dict[str, int] = {}
    for number, record in enumerate(records, start=1):
        if not any(cell.strip() for cell in record):
            continue  # a blank line uploads nothing but keeps the numbering
        if len(record) != len(header):
            report.problems.append(
                Problem(number, "", f"This row has {len(record)} values; the header names {len(header)} columns.")
            )
            continue
        _check_row(campaign, number, dict(zip(header, record, strict=True)), assets, seen, report)
    if not report.rows and report.ok:
        report.problems.append(Problem(0, "", "The file has a header but no adjustments."))
    if report.ok:
        _check_contract(report)
    return report


def _check_row(
    campaign: Campaign,
    number: int,
    raw: dict[str, str],
    assets: Mapping[str, AssetAdjustment],
    seen: dict[str, int],
    report: AdjustmentReport,
) -> None:
    problems: list[Problem] = []
    slug = raw["asset"].strip()
    item = assets.get(slug)
    if not slug:
        problems.append(Problem(number, "asset", "Enter the asset's slug."))
    elif item is None:
        problems.append(
            Problem(number, "asset", f"{campaign.title} did not ask about an asset with the slug {quoted(slug)}.")
        )
    elif slug in seen:
        problems.append(Problem(number, "asset", f"The asset {quoted(slug)} is already in row {seen[slug]}."))
    else:
        seen[slug] = number
    if raw.get("campaign", "").strip() not in ("", campaign.slug):
        problems.append(
            Problem(number, "campaign", f"Leave it blank or write {quoted(campaign.slug)}: this is its upload.")
        )
    # Text exported behind a quote mark (formula guard) comes back as typed.
    raw = {key: unguard_formula(value) if key in ("reason", "agreed_by") else value for key, value in raw.items()}
    values, value_problems = clean_values(raw, fraction=check_fraction)
    problems += [Problem(number, column, reason) for column, reason in value_problems.items()]
    report.problems.extend(sorted(problems, key=lambda p: KNOWN.index(p.column) if p.column in KNOWN else 0))
    if problems or values is None or item is None:
        return
    stored = item.adjustment
    action = "create" if stored is None else ("unchanged" if _same(stored, values) else "update")
    report.rows.append(PlannedAdjustment(number, slug, item.name, values, action))


def _same(stored: object, values: AdjustmentValues) -> bool:
    return all(getattr(stored, name) == getattr(values, name) for name in AdjustmentValues.__dataclass_fields__)


def _check_contract(report: AdjustmentReport) -> None:
    """The analysis reads the same rows without complaint (its own checks, in `analysis.adjustments`)."""
    frame = pd.DataFrame(
        [
            {"asset": row.slug, **{name: getattr(row.values, name) for name in ADJUSTMENT_COLUMNS[1:]}}
            for row in report.rows
        ]
    )
    frame["agreed_on"] = frame["agreed_on"].map(lambda day: day.isoformat() if day else None)
    try:
        prepare_adjustments(frame, origin="adjustments.csv")
    except ValueError as error:  # analysis.DatasetError
        report.problems.append(Problem(0, "", str(error)))


def upload_adjustments(campaign: Campaign, text: str, user: User | None = None) -> AdjustmentReport:
    """Store every row of `text` if all are valid (else change nothing); the caller commits."""
    report = check_upload(campaign, text)
    if not report.ok:
        return report
    assets = {item.slug: item.asset for item in campaign_assets(campaign)}
    for planned in report.rows:
        if planned.action != "unchanged":
            set_adjustment(campaign, assets[planned.slug], planned.values, user)
    return report


def describe(values: AdjustmentValues | ValuationAdjustment) -> str:
    """One line for the tables: "deadweight 25%, displacement 0%, attribution 10%, drop-off 0%, 1 year"."""
    parts = [f"{name.replace('_', '-')} {as_percent(getattr(values, name))}%" for name in ADJUSTMENT_FRACTIONS]
    parts.append(f"{values.years} year{'' if values.years == 1 else 's'}")
    return ", ".join(parts)

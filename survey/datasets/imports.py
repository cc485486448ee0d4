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

from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Table, insert

from survey.audit.trail import IMPORT_ENTITY
from survey.database import bulk_insert, utcnow
from survey.datasets.files import (
    SUFFIXES,
    UnreadableFile,
    read_table,
    sha256,
    suffix_of,
)
from survey.datasets.import_checks import (
    MAX_SHOWN,
    ImportPlan,
    ImportRejected,
    ImportReport,
    Problem,
    asset_slug,
    check_table,
)
from survey.extensions import db
from survey.models import Answer, AssetUse, AuditEvent, Response, User

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


def _checked(data: bytes, filename: str, max_bytes: int | None) -> tuple[ImportReport, ImportPlan | None]:
    try:
        table = read_table(data, filename, max_bytes)
    except UnreadableFile as error:
        problems = [Problem(None, "", str(error))]
        return ImportReport(filename=filename, problems=problems, problem_total=1, unreadable=True), None
    return check_table(table, filename)


def dry_run(data: bytes, filename: str, *, max_bytes: int | None = None) -> ImportReport:
    """Check every cell of an upload and count what an import would do; writes nothing.

    `max_bytes` bounds the uncompressed ``responses.csv`` inside a .zip upload.
    """
    report, _plan = _checked(data, filename, max_bytes)
    return report


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
            entity_type=IMPORT_ENTITY,
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


def _insert(plan: ImportPlan, importer: User | None) -> list[int]:
    """Bulk-insert the planned responses, their answers and asset answers; returns the new response ids."""
    if not plan.response_ids:
        return []
    ids = _insert_responses(plan, importer)
    answers, uses = _answer_rows(plan, ids)
    # A declarative model's __table__ is a Table; SQLAlchemy types it as the wider FromClause.
    bulk_insert(db.session.connection(), cast(Table, Answer.__table__), answers)
    bulk_insert(db.session.connection(), cast(Table, AssetUse.__table__), uses)
    return [int(i) for i in ids]


def _insert_responses(plan: ImportPlan, importer: User | None) -> np.ndarray:
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
    table = cast(Table, Response.__table__)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return np.asarray(db.session.execute(statement, rows).scalars().all(), dtype=np.int64)


def _answer_rows(plan: ImportPlan, ids: np.ndarray) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
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
            snapshot = next((asset for asset in campaign.assets if asset.slug == asset_slug(column)), None)
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

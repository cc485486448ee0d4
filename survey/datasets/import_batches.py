"""Writing a checked import without holding SQLite's write lock for long: chunks, then one publish.

SQLite has one writer at a time. Written in one transaction, a 200,000-row import held the lock
for about 90 s, and every resident who pressed Start meanwhile waited out the busy timeout and
failed. So an import is written as a **batch** (`ImportBatch`):

1. its responses are inserted `chunk_size` at a time (default IMPORT_CHUNK_SIZE, 2,000), each
   chunk with its answers in a transaction of its own that commits at once, with status
   "importing" and the batch's id. Between chunks the import waits a moment (longer than SQLite's
   busy handler sleeps: `database.let_writers_in`), so residents' writes waiting for the lock go
   first instead of losing the race to the next chunk every time.
   No reader counts an "importing" row: the dataset reader, exports, the API, reports, dashboards,
   quotas and nominations count "complete" responses only (and the residents' and interview
   pages "partial" ones), so the batch is invisible while it is written;
2. one short final transaction **publishes** it: every row of the batch turns "complete" in one
   UPDATE, the batch is marked done and the import's audit event is written. A reader sees none of
   the batch or all of it.

A failure (a bad row found late, another import of the same ids) deletes what the batch wrote,
chunk by chunk; a process killed mid-import leaves its rows hidden, and they are deleted by
`survey.ops.maintenance.discard_abandoned_imports` (run by `flask purge` and before every import)
once the batch's heartbeat, moved by every chunk, has been still for 15 minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from sqlalchemy import CursorResult, Table, insert, update

from survey.audit.trail import IMPORT_ENTITY
from survey.database import bulk_insert, let_writers_in, utcnow
from survey.datasets.import_checks import ImportPlan, asset_slug
from survey.datasets.import_report import ImportReport
from survey.extensions import db
from survey.models import Answer, AssetUse, AuditEvent, ImportBatch, Response

Progress = Callable[[str, float], None]


class BatchLost(RuntimeError):
    """The batch was marked failed by someone else (taken for abandoned) before it could publish."""


@dataclass(frozen=True)
class Targets:
    """What the rows are written into, read once while checking: the ORM objects behind it
    expire at every chunk's commit, and reloading them per chunk would be wasted work."""

    campaign_ids: np.ndarray  # per planned row
    community_of: dict[int, int]  # campaign id -> community id
    versions: dict[int, dict[str, int]]  # campaign id -> {instrument key: version}
    snapshots: dict[tuple[int, str], int]  # (campaign id, asset slug) -> campaign asset id
    values: dict[str, np.ndarray]  # item column -> float codes per planned row (NaN: blank)


def targets_of(plan: ImportPlan) -> Targets:
    """The plan's campaigns as plain numbers, beside its item codes."""
    campaigns = set(plan.campaigns)
    return Targets(
        campaign_ids=np.asarray([campaign.id for campaign in plan.campaigns], dtype=np.int64),
        community_of={campaign.id: campaign.community_id for campaign in campaigns},
        versions={
            campaign.id: {link.instrument_version.key: link.instrument_version.version for link in campaign.instruments}
            for campaign in campaigns
        },
        snapshots={(campaign.id, asset.slug): asset.id for campaign in campaigns for asset in campaign.assets},
        values=plan.codes,
    )


def start_batch(batch_id: int | None, importer_id: int | None, label: str, filename: str, digest: str) -> int:
    """Mark the job's batch running, or make one (command line); commits; returns its id."""
    now = utcnow()
    if batch_id is None:
        batch = ImportBatch(
            requested_by_id=importer_id, actor_label=label, filename=filename[:255], sha256=digest, status="running"
        )
        db.session.add(batch)
        db.session.commit()
        return batch.id
    set_batch(batch_id, status="running", heartbeat_at=now, step="writing responses")
    return batch_id


def set_batch(batch_id: int, /, **values: object) -> None:
    """Update the batch row in a short transaction of its own."""
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(**values))
    db.session.commit()


def write_chunks(
    batch_id: int,
    plan: ImportPlan,
    targets: Targets,
    importer_id: int | None,
    chunk_size: int,
    progress: Progress | None = None,
) -> None:
    """Insert the planned responses as "importing" rows, one committed transaction per chunk."""
    total = len(plan.response_ids)
    for start in range(0, total, chunk_size):
        stop = min(start + chunk_size, total)
        ids = _insert_responses(plan, targets, start, stop, importer_id, batch_id)
        answers, uses = _answer_rows(targets, start, stop, ids)
        # A declarative model's __table__ is a Table; SQLAlchemy types it as the wider FromClause.
        bulk_insert(db.session.connection(), cast(Table, Answer.__table__), answers)
        bulk_insert(db.session.connection(), cast(Table, AssetUse.__table__), uses)
        step = f"written {stop:,} of {total:,} responses"
        db.session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(heartbeat_at=utcnow(), step=step, progress=0.05 + 0.9 * stop / total)
        )
        db.session.commit()  # the chunk's transaction ends here: SQLite's write lock is free again
        if stop < total:
            let_writers_in(db.session)  # ...and residents waiting for it take their turn first
        if progress is not None:
            progress(step, stop / total)


def publish(
    batch_id: int, report: ImportReport, plan: ImportPlan, importer_id: int | None, label: str, digest: str
) -> None:
    """Make the whole batch visible in one short transaction, with its audit event; commits.

    Raises `BatchLost` (writing nothing) if the batch is no longer running.
    """
    now = utcnow()
    claimed = db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch_id, ImportBatch.status == "running")
        .values(
            status="done",
            step="published",
            progress=1.0,
            heartbeat_at=now,
            finished_at=now,
            added=report.added,
            already_present=report.already_present,
            new_by_campaign=report.new_by_campaign,
        )
    )
    if cast(CursorResult[Any], claimed).rowcount != 1:
        db.session.rollback()
        raise BatchLost(f"import batch {batch_id} was stopped before it could be published")
    table = cast(Table, Response.__table__)
    db.session.execute(
        update(table)
        .where(table.c.import_batch_id == batch_id, table.c.status == "importing")
        .values(status="complete")
    )
    db.session.add(
        AuditEvent(
            actor_id=importer_id,
            actor_label=label,
            action="create",
            entity_type=IMPORT_ENTITY,
            entity_id=digest,
            changes={
                "file": [None, report.filename],
                "responses_added": [None, report.added],
                "already_imported_skipped": [None, report.already_present],
                "campaigns": [None, report.new_by_campaign],
                "response_ids": [None, plan.response_ids],
                "import_batch": [None, batch_id],
            },
        )
    )
    db.session.commit()


def _insert_responses(
    plan: ImportPlan, targets: Targets, start: int, stop: int, importer_id: int | None, batch_id: int
) -> np.ndarray:
    now = utcnow()
    submitted = plan.submitted_at[start:stop].to_pydatetime()
    rows = [
        {
            "public_id": plan.response_ids[i],
            "campaign_id": int(targets.campaign_ids[i]),
            "community_id": targets.community_of[int(targets.campaign_ids[i])],
            "mode": plan.modes[i],
            "instrument_versions": targets.versions[int(targets.campaign_ids[i])],
            "consent": True,
            "status": "importing",
            # The real start time is unknown; the submission time is the nearest fact we have.
            "started_at": submitted[i - start],
            "updated_at": now,
            "submitted_at": submitted[i - start],
            "entered_by_id": importer_id,
            "verified": bool(plan.verified[i]),
            "import_batch_id": batch_id,
        }
        for i in range(start, stop)
    ]
    table = cast(Table, Response.__table__)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return np.asarray(db.session.execute(statement, rows).scalars().all(), dtype=np.int64)


def _answer_rows(
    targets: Targets, start: int, stop: int, ids: np.ndarray
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(answer rows, asset-use rows) for every filled item cell of planned rows start..stop."""
    campaign_ids = targets.campaign_ids[start:stop]
    answers: list[dict[str, Any]] = []
    uses: dict[tuple[int, int], dict[str, Any]] = {}
    for column, all_values in targets.values.items():
        values = all_values[start:stop]
        filled = ~np.isnan(values)
        if not column.startswith("asset_"):
            answers.extend(
                {"response_id": int(response_id), "item_key": column, "value": int(value)}
                for response_id, value in zip(ids[filled], values[filled], strict=True)
            )
            continue
        field_name = "importance" if column.endswith("_value") else "frequency"
        for campaign_id in np.unique(campaign_ids):
            # The same asset has its own snapshot row in each campaign that asked about it.
            snapshot = targets.snapshots.get((int(campaign_id), asset_slug(column)))
            if snapshot is None:
                continue  # checked already: rows of a campaign that did not ask have only blanks here
            chosen = filled & (campaign_ids == campaign_id)
            for response_id, value in zip(ids[chosen], values[chosen], strict=True):
                row = uses.setdefault(
                    (int(response_id), snapshot),
                    {
                        "response_id": int(response_id),
                        "campaign_asset_id": snapshot,
                        "frequency": None,
                        "importance": None,
                    },
                )
                row[field_name] = int(value)
    return answers, list(uses.values())

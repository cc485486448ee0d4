"""The coded excerpts for qualitative tools (NVivo, ATLAS.ti, MAXQDA, Taguette import CSV): the excerpts
CSV, the codebook CSV and the zip holding both, and the data access log entry each download leaves.

Only deep dives whose participant agreed to sharing (`consent_sharing`) are written; `ExcerptExport`
says how many were left out. Text cells a spreadsheet would run as a formula are written behind a
quote mark, as in the other CSV downloads (`survey.assets.csv_files.guard_formula`).

QDPX (REFI-QDA) is not written: no library on PyPI that writes it is kept up (the writers there were
last released years ago or are early parsers), and a hand-written project XML writer is not worth
its upkeep while CSV imports into every tool named above.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey.assets.csv_files import guard_formula
from survey.deepdives.retrieval import code_labels
from survey.deepdives.themes import CodebookEntry, codebook_entries, community_themes
from survey.extensions import db
from survey.models import Community, DeepDive, Excerpt, ExcerptCode

EXCERPT_COLUMNS = ("interview", "participant", "community", "theme", "asset", "excerpt", "start", "end")
CODEBOOK_COLUMNS = ("theme_key", "name", "description", "kind")
EXCERPTS_FILE, CODEBOOK_FILE = "excerpts.csv", "codebook.csv"
LEFT_OUT_REASON = "the participant did not agree to sharing"


@dataclass(frozen=True)
class ExcerptExport:
    """The excerpts download of one community: its rows, and the deep dives left out (no sharing consent)."""

    community: Community
    rows: list[tuple[Any, ...]]
    included: list[DeepDive]
    left_out: list[DeepDive]


def excerpt_export(community: Community) -> ExcerptExport:
    """One row per excerpt per code of the community's deep dives that may be shared, oldest first."""
    query = (
        select(DeepDive)
        .filter_by(community_id=community.id)
        .order_by(DeepDive.held_on, DeepDive.id)
        .options(
            selectinload(DeepDive.excerpts).selectinload(Excerpt.codes).selectinload(ExcerptCode.asset),
            selectinload(DeepDive.excerpts).selectinload(Excerpt.codes).selectinload(ExcerptCode.theme),
        )
    )
    deep_dives = db.session.scalars(query).all()
    included = [deep_dive for deep_dive in deep_dives if deep_dive.consent_sharing]
    rows = []
    for deep_dive in included:
        for excerpt in deep_dive.excerpts:
            for code in code_labels(excerpt):
                rows.append(
                    (
                        deep_dive.id,
                        guard_formula(deep_dive.participant_code),
                        community.slug,
                        "" if code.kind == "asset" else code.key,
                        code.key if code.kind == "asset" else "",
                        guard_formula(excerpt.text),
                        excerpt.start,
                        excerpt.end,
                    )
                )
    left_out = [deep_dive for deep_dive in deep_dives if not deep_dive.consent_sharing]
    return ExcerptExport(community, rows, included, left_out)


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    # The byte-order mark makes Excel read the file as UTF-8, as in the other CSV downloads.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()


def excerpts_csv(export: ExcerptExport) -> str:
    """The excerpts CSV (EXCERPT_COLUMNS)."""
    return _csv_text(EXCERPT_COLUMNS, export.rows)


def codebook_csv(entries: Sequence[CodebookEntry]) -> str:
    """The codebook CSV (CODEBOOK_COLUMNS): the six ways, the assets and the themes as one code system."""
    rows = [(e.key, guard_formula(e.name), guard_formula(e.description), e.kind) for e in entries]
    return _csv_text(CODEBOOK_COLUMNS, rows)


def community_codebook(community: Community) -> list[CodebookEntry]:
    """The code system of a community's excerpts download: the six ways, its assets, its campaigns' themes."""
    return codebook_entries(community, community_themes(community))


def _readme(export: ExcerptExport, made_on: date) -> str:
    lines = [
        f"Coded deep-dive excerpts of {export.community.name}, made {made_on.isoformat()}.",
        "",
        f"{EXCERPTS_FILE}: one row per excerpt per code. interview = the deep dive's number; participant = its",
        "pseudonymous code; theme = a six ways dimension or a project theme key; asset = an asset's key;",
        "start and end = character offsets into the transcript (end exclusive). Cells starting with = + - @",
        "are written behind a ' so a spreadsheet does not run them.",
        f"{CODEBOOK_FILE}: every code (kind sixways, asset or theme) with its name and description.",
        "",
        f"Deep dives included: {len(export.included)}. Left out because {LEFT_OUT_REASON}: {len(export.left_out)}.",
    ]
    if any(deep_dive.synthetic for deep_dive in export.included):
        lines.append("Some deep dives are synthetic demo data, made up for testing.")
    return "\r\n".join(lines) + "\r\n"


def excerpts_zip(export: ExcerptExport, made_on: date) -> bytes:
    """The download: the excerpts CSV, the codebook CSV and a README saying what was left out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(EXCERPTS_FILE, excerpts_csv(export))
        archive.writestr(CODEBOOK_FILE, codebook_csv(community_codebook(export.community)))
        archive.writestr("README.txt", _readme(export, made_on))
    return buffer.getvalue()


def zip_name(community: Community, made_on: date) -> str:
    """The download's file name, e.g. dover-town-excerpts-2026-12-05.zip."""
    return f"{community.slug}-excerpts-{made_on.isoformat()}.zip"

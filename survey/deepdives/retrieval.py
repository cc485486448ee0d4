"""Retrieval across deep dives: every excerpt with a code, in its context, and counts of excerpts by code.

Plain queries: ids and keys in, frozen dataclasses out. A theme is matched by its key, so the same
key in several campaigns' codebooks is one code (as in the excerpts download).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from survey.assets.fields import DIMENSION_LABELS
from survey.deepdives.coding import Paragraph, is_anchored, paragraphs
from survey.deepdives.quotes import excerpt_counts_for_assets
from survey.deepdives.themes import community_themes
from survey.extensions import db
from survey.models import SIXWAYS_DIMENSIONS, Asset, Community, DeepDive, Excerpt, ExcerptCode, Theme

# Context shown around an excerpt: its paragraph, cut to at most this many characters either side.
CONTEXT_CHARS = 300
# The retrieval page lists at most this many excerpts and says so when there are more.
LIST_LIMIT = 500


@dataclass(frozen=True)
class ExcerptFilter:
    """Which excerpts: any combination of a community, a six ways dimension, an asset, a theme key, a deep dive."""

    community_id: int | None = None
    sixways: str | None = None
    asset_id: int | None = None
    theme_key: str | None = None
    deep_dive_id: int | None = None


@dataclass(frozen=True, order=True)
class CodeLabel:
    """One code of an excerpt as shown: its kind, key and readable name."""

    kind: str
    key: str
    name: str

    @property
    def readable(self) -> str:
        """As a list of codes reads: "Connect", "Asset: Dover Foodbank", "Theme: Isolation"."""
        return self.name if self.kind == "sixways" else f"{self.kind.capitalize()}: {self.name}"


@dataclass(frozen=True)
class FoundExcerpt:
    """An excerpt with its context: `before` + `text` + `after` is a stretch of the transcript.

    `moved` is true when the transcript no longer holds the excerpt at its offsets (edited since it
    was coded): then the excerpt's own text is shown without context.
    """

    id: int
    deep_dive_id: int
    participant_code: str
    community_name: str
    held_on: date
    start: int
    end: int
    before: str
    text: str
    after: str
    moved: bool
    codes: tuple[CodeLabel, ...]
    consent_recording: bool
    consent_quotation: bool
    consent_sharing: bool
    synthetic: bool


@dataclass(frozen=True)
class FoundExcerpts:
    """The excerpts listed (at most the limit asked for) and how many passed the filter in all."""

    excerpts: list[FoundExcerpt]
    total: int


@dataclass(frozen=True)
class CodeCount:
    """How many excerpts carry one code; `key` is what the retrieval page filters by."""

    kind: str
    key: str
    name: str
    count: int


@dataclass(frozen=True)
class DeepDiveCount:
    """How many excerpts one deep dive has."""

    deep_dive_id: int
    participant_code: str
    held_on: date
    synthetic: bool
    count: int


@dataclass(frozen=True)
class CommunityCounts:
    """Excerpt counts of one community: by six ways dimension, asset, theme, and deep dive (zeros included)."""

    sixways: list[CodeCount]
    assets: list[CodeCount]
    themes: list[CodeCount]
    deep_dives: list[DeepDiveCount]
    excerpts: int


def _matching(filters: ExcerptFilter) -> Select[Any]:
    """Ids of the excerpts that pass `filters` (each given code must be on the excerpt)."""
    query = select(Excerpt.id).join(DeepDive, DeepDive.id == Excerpt.deep_dive_id)
    if filters.community_id is not None:
        query = query.where(DeepDive.community_id == filters.community_id)
    if filters.deep_dive_id is not None:
        query = query.where(DeepDive.id == filters.deep_dive_id)
    coded = select(ExcerptCode.excerpt_id)
    if filters.sixways is not None:
        query = query.where(Excerpt.id.in_(coded.where(ExcerptCode.sixways == filters.sixways)))
    if filters.asset_id is not None:
        query = query.where(Excerpt.id.in_(coded.where(ExcerptCode.asset_id == filters.asset_id)))
    if filters.theme_key is not None:
        by_theme = coded.join(Theme, Theme.id == ExcerptCode.theme_id).where(Theme.key == filters.theme_key)
        query = query.where(Excerpt.id.in_(by_theme))
    return query


def find_excerpts(filters: ExcerptFilter, limit: int = LIST_LIMIT) -> FoundExcerpts:
    """The excerpts passing `filters`, newest deep dive first, in transcript order within one."""
    ids = _matching(filters).subquery()
    total = db.session.scalar(select(func.count()).select_from(ids)) or 0
    query = (
        select(Excerpt)
        .join(DeepDive, DeepDive.id == Excerpt.deep_dive_id)
        .where(Excerpt.id.in_(select(ids.c.id)))
        .order_by(DeepDive.held_on.desc(), DeepDive.id.desc(), Excerpt.start, Excerpt.id)
        .limit(limit)
        .options(
            selectinload(Excerpt.deep_dive).selectinload(DeepDive.community),
            selectinload(Excerpt.codes).selectinload(ExcerptCode.asset),
            selectinload(Excerpt.codes).selectinload(ExcerptCode.theme),
        )
    )
    by_deep_dive: dict[int, list[Paragraph]] = {}  # each transcript split once, however many excerpts it has
    found = []
    for excerpt in db.session.scalars(query):
        if excerpt.deep_dive_id not in by_deep_dive:
            by_deep_dive[excerpt.deep_dive_id] = paragraphs(excerpt.deep_dive.transcript)
        found.append(_found(excerpt, by_deep_dive[excerpt.deep_dive_id]))
    return FoundExcerpts(found, total)


def _found(excerpt: Excerpt, spans: list[Paragraph]) -> FoundExcerpt:
    deep_dive = excerpt.deep_dive
    transcript = deep_dive.transcript
    moved = not is_anchored(excerpt)
    before, after = ("", "") if moved else context(transcript, excerpt.start, excerpt.end, spans)
    return FoundExcerpt(
        id=excerpt.id,
        deep_dive_id=deep_dive.id,
        participant_code=deep_dive.participant_code,
        community_name=deep_dive.community.name,
        held_on=deep_dive.held_on,
        start=excerpt.start,
        end=excerpt.end,
        before=before,
        text=excerpt.text,
        after=after,
        moved=moved,
        codes=code_labels(excerpt),
        consent_recording=deep_dive.consent_recording,
        consent_quotation=deep_dive.consent_quotation,
        consent_sharing=deep_dive.consent_sharing,
        synthetic=deep_dive.synthetic,
    )


def context(transcript: str, start: int, end: int, spans: list[Paragraph] | None = None) -> tuple[str, str]:
    """The text before and after characters `start` to `end`: the rest of their paragraphs, at most
    CONTEXT_CHARS either side (an ellipsis marks a cut). `spans`: the transcript's paragraphs, if known."""
    spans = paragraphs(transcript) if spans is None else spans
    first = next((p.start for p in spans if p.start <= start < p.end), start)
    last = next((p.end for p in spans if p.start < end <= p.end), end)
    before = transcript[max(first, start - CONTEXT_CHARS) : start]
    after = transcript[end : min(last, end + CONTEXT_CHARS)]
    if start - first > CONTEXT_CHARS:
        before = "…" + before.lstrip()
    if last - end > CONTEXT_CHARS:
        after = after.rstrip() + "…"
    return before, after


def code_labels(excerpt: Excerpt) -> tuple[CodeLabel, ...]:
    """The excerpt's codes, six ways first (in their order), then assets and themes by key."""
    sixways = [CodeLabel("sixways", c.sixways, DIMENSION_LABELS[c.sixways]) for c in excerpt.codes if c.sixways]
    sixways.sort(key=lambda label: SIXWAYS_DIMENSIONS.index(label.key))
    assets = sorted(CodeLabel("asset", c.asset.slug, c.asset.name) for c in excerpt.codes if c.asset is not None)
    themes = sorted(CodeLabel("theme", c.theme.key, c.theme.name) for c in excerpt.codes if c.theme is not None)
    return (*sixways, *assets, *themes)


def community_counts(community: Community) -> CommunityCounts:
    """How many excerpts of the community's deep dives carry each code, and how many each deep dive has."""
    in_community = select(Excerpt.id).join(DeepDive).where(DeepDive.community_id == community.id)
    codes = select(ExcerptCode).where(ExcerptCode.excerpt_id.in_(in_community)).subquery()
    per_dimension: dict[str, int] = dict(
        db.session.execute(
            select(codes.c.sixways, func.count(func.distinct(codes.c.excerpt_id)))
            .where(codes.c.sixways.is_not(None))
            .group_by(codes.c.sixways)
        ).all()
    )
    per_theme_key: dict[str, int] = dict(
        db.session.execute(
            select(Theme.key, func.count(func.distinct(codes.c.excerpt_id)))
            .join(codes, codes.c.theme_id == Theme.id)
            .group_by(Theme.key)
        ).all()
    )
    assets = db.session.scalars(select(Asset).filter_by(community_id=community.id).order_by(Asset.name)).all()
    # The asset profiles' own counts (survey.deepdives.quotes), so both pages always agree.
    per_asset = {
        asset_id: counted.excerpts for asset_id, counted in excerpt_counts_for_assets([a.id for a in assets]).items()
    }
    per_deep_dive: dict[int, int] = dict(
        db.session.execute(
            select(Excerpt.deep_dive_id, func.count(Excerpt.id))
            .where(Excerpt.id.in_(in_community))
            .group_by(Excerpt.deep_dive_id)
        ).all()
    )
    deep_dives = db.session.scalars(
        select(DeepDive).filter_by(community_id=community.id).order_by(DeepDive.held_on.desc(), DeepDive.id.desc())
    ).all()
    return CommunityCounts(
        sixways=[
            CodeCount("sixways", key, DIMENSION_LABELS[key], per_dimension.get(key, 0)) for key in SIXWAYS_DIMENSIONS
        ],
        assets=[
            CodeCount("asset", asset.slug, asset.name, per_asset.get(asset.id, 0))
            for asset in assets
            if not asset.retired or per_asset.get(asset.id)
        ],
        themes=[
            CodeCount("theme", theme.key, theme.name, per_theme_key.get(theme.key, 0))
            for theme in community_themes(community)
        ],
        deep_dives=[
            DeepDiveCount(d.id, d.participant_code, d.held_on, d.synthetic, per_deep_dive.get(d.id, 0))
            for d in deep_dives
        ],
        excerpts=sum(per_deep_dive.values()),
    )

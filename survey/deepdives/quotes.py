"""What deep-dive interviews said about assets: counts of the excerpts coding each asset, and quotes.

Plain queries for the asset profiles, the profile pack, the workshop cards and the report. A quote
is an excerpt coded to the asset from a deep dive whose participant agreed to quotation; the counts
cover every deep dive whatever its consents, and say how many of the excerpts may be quoted.
A quote names its participant by the pseudonymous code only: never the interviewer, never a name.

Always read live from the excerpt tables, never stored (not in an `AnalysisSnapshot`): erasing a
participant's deep dive removes their words from the next page, card, pack or report at once.
Only deep dives of the asset's own community count (the codes offered are that community's assets),
so an asset's page never shows another community's interview.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from survey.assets.fields import DIMENSION_LABELS
from survey.extensions import db
from survey.models import Asset, Community, DeepDive, Excerpt, ExcerptCode, Theme

# A workshop card's quote: the first quote this short, else the first cut to this length (a card is
# read on a phone or across a room while the asset is discussed: one short paragraph, not a transcript).
CARD_QUOTE_MAX = 400
ELLIPSIS = "…"


@dataclass(frozen=True)
class Quote:
    """One quotable excerpt coded to an asset: its words and who said them (a participant code only)."""

    asset_id: int
    excerpt_id: int
    text: str
    participant_code: str
    held_on: date
    community: str  # the community's slug
    synthetic: bool
    other_codes: tuple[str, ...]  # the excerpt's other codes: six ways, other assets, themes

    @property
    def attribution(self) -> str:
        """``participant DOV-07, interviewed 12 March 2026``."""
        return f"participant {self.participant_code}, interviewed {self.held_on.day} {self.held_on:%B %Y}"


@dataclass(frozen=True)
class Counts:
    """How many excerpts code an asset, from how many deep dives, and how many of the excerpts may be quoted."""

    excerpts: int = 0
    interviews: int = 0
    quotable: int = 0

    @property
    def sentence(self) -> str:
        """``3 excerpts from 2 interviews code this asset (2 may be quoted).``, or that none does."""
        if not self.excerpts:
            return "No deep-dive interview has been coded to this asset yet."
        excerpts = f"{self.excerpts} excerpt{'' if self.excerpts == 1 else 's'}"
        interviews = f"{self.interviews} interview{'' if self.interviews == 1 else 's'}"
        verb = "codes" if self.excerpts == 1 else "code"
        return f"{excerpts} from {interviews} {verb} this asset ({self.quotable} may be quoted)."


@dataclass(frozen=True)
class AssetQuotes:
    """An asset's counts and the first of its quotes, as a profile or the pack shows them."""

    counts: Counts
    quotes: tuple[Quote, ...]


def _coded(asset_ids: Collection[int]) -> Select[Any]:
    """Excerpts coded to the assets, joined to their deep dive, of the asset's own community only."""
    return (
        select(ExcerptCode.asset_id)
        .join(Excerpt, Excerpt.id == ExcerptCode.excerpt_id)
        .join(DeepDive, DeepDive.id == Excerpt.deep_dive_id)
        .join(Asset, and_(Asset.id == ExcerptCode.asset_id, Asset.community_id == DeepDive.community_id))
        .where(ExcerptCode.asset_id.in_(list(asset_ids)))
    )


def excerpt_counts_for_assets(asset_ids: Collection[int], *, session: Session | None = None) -> dict[int, Counts]:
    """Counts for every asset of `asset_ids` (zeros for an asset nothing codes), every consent included;
    read in `session` (the report's read snapshot), else the app's."""
    counts = dict.fromkeys(asset_ids, Counts())
    if not asset_ids:
        return counts
    query = (
        _coded(asset_ids)
        .add_columns(
            func.count(distinct(Excerpt.id)),
            func.count(distinct(DeepDive.id)),
            func.count(distinct(case((DeepDive.consent_quotation.is_(True), Excerpt.id)))),
        )
        .group_by(ExcerptCode.asset_id)
    )
    for asset_id, excerpts, interviews, quotable in (session or db.session()).execute(query):
        counts[asset_id] = Counts(excerpts, interviews, quotable)
    return counts


def quotes_for_assets(
    asset_ids: Collection[int],
    *,
    limit_per_asset: int | None = None,
    max_chars: int | None = None,
    session: Session | None = None,
) -> dict[int, list[Quote]]:
    """The quotable excerpts coded to each asset (only assets that have some), by the date of the
    interview, then the deep dive, then the place in its transcript; at most `limit_per_asset` each,
    and only texts of at most `max_chars` characters when given. Read in `session`, else the app's."""
    if not asset_ids:
        return {}
    order = (DeepDive.held_on, DeepDive.id, Excerpt.start, Excerpt.id)
    ranked = (
        _coded(asset_ids)
        .add_columns(
            Excerpt.id.label("excerpt_id"),
            func.row_number().over(partition_by=ExcerptCode.asset_id, order_by=order).label("position"),
        )
        .where(DeepDive.consent_quotation.is_(True))
    )
    if max_chars is not None:
        ranked = ranked.where(func.length(Excerpt.text) <= max_chars)
    picked = ranked.subquery()
    query = (
        select(picked.c.asset_id, Excerpt, DeepDive, Community.slug)
        .join(Excerpt, Excerpt.id == picked.c.excerpt_id)
        .join(DeepDive, DeepDive.id == Excerpt.deep_dive_id)
        .join(Community, Community.id == DeepDive.community_id)
        .order_by(picked.c.asset_id, picked.c.position)
    )
    if limit_per_asset is not None:
        query = query.where(picked.c.position <= limit_per_asset)
    session = session or db.session()
    rows = session.execute(query).all()
    labels = _code_labels(session, {excerpt.id for _, excerpt, _, _ in rows})
    quotes: dict[int, list[Quote]] = defaultdict(list)
    for asset_id, excerpt, deep_dive, community in rows:
        quotes[asset_id].append(
            Quote(
                asset_id=asset_id,
                excerpt_id=excerpt.id,
                text=excerpt.text,
                participant_code=deep_dive.participant_code,
                held_on=deep_dive.held_on,
                community=community,
                synthetic=deep_dive.synthetic,
                other_codes=tuple(label for code_asset, label in labels.get(excerpt.id, ()) if code_asset != asset_id),
            )
        )
    return dict(quotes)


def _code_labels(session: Session, excerpt_ids: Collection[int]) -> dict[int, list[tuple[int | None, str]]]:
    """Each excerpt's codes as (asset id or None, label): six ways first in their usual order, then
    assets and themes by name."""
    if not excerpt_ids:
        return {}
    query = (
        select(ExcerptCode.excerpt_id, ExcerptCode.sixways, ExcerptCode.asset_id, Asset.name, Theme.name)
        .outerjoin(Asset, Asset.id == ExcerptCode.asset_id)
        .outerjoin(Theme, Theme.id == ExcerptCode.theme_id)
        .where(ExcerptCode.excerpt_id.in_(list(excerpt_ids)))
    )
    dimensions = list(DIMENSION_LABELS)
    sort_keys: dict[int, list[tuple[tuple[int, str], int | None, str]]] = defaultdict(list)
    for excerpt_id, sixways, asset_id, asset_name, theme_name in session.execute(query):
        if sixways is not None:
            key, label = (0, f"{dimensions.index(sixways):02d}"), DIMENSION_LABELS[sixways]
        elif asset_id is not None:
            key, label = (1, asset_name), asset_name
        else:
            key, label = (2, theme_name), theme_name
        sort_keys[excerpt_id].append((key, asset_id, label))
    return {
        excerpt_id: [(asset_id, label) for _, asset_id, label in sorted(codes)]
        for excerpt_id, codes in sort_keys.items()
    }


def asset_quotes(asset_ids: Collection[int], *, limit_per_asset: int) -> dict[int, AssetQuotes]:
    """Counts and the first `limit_per_asset` quotes of every asset of `asset_ids`, for a profile or the pack."""
    counts = excerpt_counts_for_assets(asset_ids)
    quotes = quotes_for_assets(asset_ids, limit_per_asset=limit_per_asset)
    return {asset_id: AssetQuotes(counts[asset_id], tuple(quotes.get(asset_id, ()))) for asset_id in asset_ids}


def shorten(text: str, limit: int = CARD_QUOTE_MAX) -> str:
    """`text` if it has at most `limit` characters, else cut at the last word boundary that leaves room
    for an ellipsis (mid-word only when the first word alone is too long)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    boundary = max(cut.rfind(space) for space in " \n\t")  # paragraphs of a transcript end in newlines
    kept = cut[:boundary] if boundary > 0 else cut[: limit - len(ELLIPSIS)]
    return kept.rstrip(" \n\t,;:.-–—") + ELLIPSIS  # no space or stray punctuation before the ellipsis


def card_quotes(asset_ids: Collection[int]) -> dict[int, Quote]:
    """One quote per asset for a workshop card: the first (by the quotes' order) of at most
    ``CARD_QUOTE_MAX`` characters, else the first shortened to that length; assets without a quote
    are left out."""
    chosen = {
        asset_id: found[0]
        for asset_id, found in quotes_for_assets(asset_ids, limit_per_asset=1, max_chars=CARD_QUOTE_MAX).items()
    }
    rest = [asset_id for asset_id in asset_ids if asset_id not in chosen]
    for asset_id, found in quotes_for_assets(rest, limit_per_asset=1).items():
        chosen[asset_id] = replace(found[0], text=shorten(found[0].text))
    return chosen

"""What deep-dive interviews said about the assets of the communities a report analyses, as the tidy
tables of `analysis.deep_dive_quotes`: counts per asset (every interview) and its first quotes
(quotation consent only, participant codes only).

Read from the excerpt tables in a read snapshot, like the workshop ratings (`workshop_ratings`),
when the report is built, so an interview erased before then is not in it. Deep dives are not
filtered by campaign: an interview is about a community's assets, not a campaign's sample.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from analysis.deep_dive_quotes import DEEP_DIVE_COUNT_COLUMNS, DEEP_DIVE_QUOTE_COLUMNS, REPORT_QUOTES
from survey.datasets.tables import engine_for, snapshot
from survey.deepdives.quotes import excerpt_counts_for_assets, quotes_for_assets
from survey.models import Asset, Community


def deep_dive_frames(
    engine_or_url: Engine | str, communities: Sequence[str], assets: Sequence[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts, quotes) for the assets of these community slugs that any excerpt codes; only those of
    `assets` (slugs: the assets the report analyses, so each has its name there) when given."""
    engine = engine_for(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        # A read snapshot (as the dataset reader's): on SQLite it never takes the write lock.
        with snapshot(engine) as connection, Session(bind=connection) as session:
            query = (
                select(Asset.id, Community.slug, Asset.slug)
                .join(Community, Community.id == Asset.community_id)
                .where(Community.slug.in_(list(communities)))
            )
            if assets is not None:
                query = query.where(Asset.slug.in_(list(assets)))
            places = {asset_id: (community, slug) for asset_id, community, slug in session.execute(query)}
            counts = excerpt_counts_for_assets(places, session=session)
            quotes = quotes_for_assets(places, limit_per_asset=REPORT_QUOTES, session=session)
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()
    count_rows = [
        (*places[asset_id], found.excerpts, found.interviews, found.quotable)
        for asset_id, found in counts.items()
        if found.excerpts
    ]
    quote_rows = [
        (*places[asset_id], quote.participant_code, quote.held_on.isoformat(), quote.text, quote.synthetic)
        for asset_id, found in quotes.items()
        for quote in found
    ]
    return (
        pd.DataFrame(count_rows, columns=list(DEEP_DIVE_COUNT_COLUMNS)),
        pd.DataFrame(quote_rows, columns=list(DEEP_DIVE_QUOTE_COLUMNS)),
    )

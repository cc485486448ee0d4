"""Why each blank answer of an export is blank: the missing-data codes of issue 13.

The scheme (`analysis.columns.MISSING_REASON_CODES`): -1 not asked, -2 skipped, -3 more than one
box ticked on paper, -4 prefer not to say, -5 don't know (reserved). Nothing new is stored: an
answer's `missing_reason` ("blank", "multiple", "declined") gives the last three; an item whose
instrument the response was not asked (its `instrument_versions`; a SWEMWBS campaign asks 7 of the
14 WEMWBS items), or an asset not in the response's campaign, is "not asked"; any other blank answer
is "skipped". Codes go into the item and asset columns only, after scoring, so scores never see them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, select

from analysis.columns import (
    DEMOGRAPHIC_COLUMNS,
    MISSING_REASON_CODES,
    REASON_OF_STORED,
    asset_column,
    asset_value_column,
    ons4_items,
    sixways_items,
    swemwbs_items,
    wemwbs_items,
)
from survey.datasets.tables import _answer, _campaign, _campaign_asset, _response, _rows

NOT_ASKED = MISSING_REASON_CODES["not_asked"]
SKIPPED = MISSING_REASON_CODES["skipped"]


def item_instruments() -> dict[str, tuple[str, ...]]:
    """{item column: the instrument keys any one of which asks it}."""
    owners: dict[str, tuple[str, ...]] = {key: ("demographics",) for key in DEMOGRAPHIC_COLUMNS}
    owners.update({key: ("ons4",) for key in ons4_items()})
    short = set(swemwbs_items())
    owners.update({key: ("wemwbs", "swemwbs") if key in short else ("wemwbs",) for key in wemwbs_items()})
    owners.update({key: ("sixways",) for key in sixways_items()})
    return owners


def fill_missing_codes(
    chunk: pd.DataFrame,
    *,
    asked_instruments: pd.Series | None,
    asked_assets: Mapping[str, set[str]],
    assets_by: str,
    reasons: pd.DataFrame,
) -> pd.DataFrame:
    """`chunk` with every blank item or asset answer replaced by its missing-data code.

    `asked_instruments`: per row (aligned with `chunk`), the set of instrument keys the response
    was asked (None: all of them). `asked_assets`: {campaign or community slug (the `assets_by`
    column): asset slugs asked}. `reasons`: ``response_id, item_key, missing_reason`` as stored.
    """
    out = chunk.reset_index(drop=True)
    slugs = {slug for asked in asked_assets.values() for slug in asked}
    stored = (
        reasons.drop_duplicates(["response_id", "item_key"]).pivot(
            index="response_id", columns="item_key", values="missing_reason"
        )
        if len(reasons)
        else pd.DataFrame()
    )
    stored = stored.reindex(index=list(out["response_id"]))
    owners = item_instruments()
    keys = {key for owner in owners.values() for key in owner} | {"asset_use"}
    has = {key: _has(asked_instruments, key, len(out)) for key in keys}
    places = out[assets_by].astype(str)
    for column in out.columns:
        if column in owners:
            asked = np.logical_or.reduce([has[key] for key in owners[column]])
        elif (slug := _asset_slug(column, slugs)) is not None:
            in_place = places.map(lambda place, slug=slug: slug in asked_assets.get(place, set()))
            asked = has["asset_use"] & in_place.to_numpy(dtype=bool)
        else:
            continue
        blank = out[column].isna().to_numpy()
        if not blank.any():
            continue
        codes = pd.Series(SKIPPED, index=out.index, dtype="Int64")
        if column in stored:
            why = stored[column].map(REASON_OF_STORED).map(MISSING_REASON_CODES).to_numpy()
            known = pd.notna(why)
            codes[known] = why[known].astype("int64")
        codes[~asked] = NOT_ASKED
        out[column] = out[column].astype("Int64").where(~blank, codes)
    return out


def _has(asked_instruments: pd.Series | None, key: str, rows: int) -> np.ndarray:
    """Per row, whether the response was asked instrument `key`."""
    if asked_instruments is None:
        return np.ones(rows, dtype=bool)
    return np.array([key in asked for asked in asked_instruments], dtype=bool)


def _asset_slug(column: str, slugs: set[str]) -> str | None:
    for slug in slugs:
        if column in (asset_column(slug), asset_value_column(slug)):
            return slug
    return None


@dataclass
class StoredReasons:
    """What a database chunk's missing-data codes are worked out from, read in the chunk's snapshot."""

    asked: dict[str, set[str]]  # {response public id: instrument keys it was asked}
    reasons: pd.DataFrame  # response_id, item_key, missing_reason as stored
    asked_assets: dict[str, set[str]]  # {campaign slug: asset slugs it asked}


def stored_reasons(connection: Any, where: ColumnElement[bool], campaigns: list[str]) -> StoredReasons:
    """The reasons of the responses `where` picks, of `campaigns` (their campaigns' slugs)."""
    versions = _rows(connection, select(_response.c.public_id, _response.c.instrument_versions).where(where))
    asked = dict(zip(versions["public_id"], versions["instrument_versions"].map(_keys), strict=True))
    reasons = _rows(
        connection,
        select(_response.c.public_id.label("response_id"), _answer.c.item_key, _answer.c.missing_reason)
        .join(_response, _response.c.id == _answer.c.response_id)
        .where(where, _answer.c.missing_reason.is_not(None)),
    )
    assets = _rows(
        connection,
        select(_campaign.c.slug.label("campaign"), _campaign_asset.c.slug)
        .join(_campaign, _campaign.c.id == _campaign_asset.c.campaign_id)
        .where(_campaign.c.slug.in_(sorted(set(campaigns)))),
    )
    asked_assets: dict[str, set[str]] = {}
    for campaign, slug in assets.itertuples(index=False):
        asked_assets.setdefault(str(campaign), set()).add(str(slug))
    return StoredReasons(asked, reasons, asked_assets)


def coded_chunk(stored: StoredReasons, chunk: pd.DataFrame) -> pd.DataFrame:
    """A database chunk with its missing-data codes (`stored`: read by `stored_reasons` for its rows)."""
    return fill_missing_codes(
        chunk.reset_index(drop=True),
        asked_instruments=pd.Series([stored.asked.get(public_id, set()) for public_id in chunk["response_id"]]),
        asked_assets=stored.asked_assets,
        assets_by="campaign",
        reasons=stored.reasons,
    )


def _keys(versions: Any) -> set[str]:
    """The instrument keys of a stored `instrument_versions` (SQLite hands JSON over as text)."""
    return set(json.loads(versions) if isinstance(versions, str) else (versions or {}))


class CodedSource:
    """An export source whose chunks carry missing-data codes instead of blanks.

    A `DatasetReader` reads the reasons from the database; a `Dataset` in memory knows none, so
    there an asset of another community is "not asked" and every other blank answer "skipped".
    """

    def __init__(self, source: Any) -> None:
        self._source = source

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    def chunks(self, size: int = 5000) -> Iterator[pd.DataFrame]:
        if hasattr(self._source, "coded_chunks"):
            yield from self._source.coded_chunks(size)
            return
        by_community: dict[str, set[str]] = {}
        for slug, community in self._source.assets.loc[:, ["slug", "community"]].itertuples(index=False):
            by_community.setdefault(str(community), set()).add(str(slug))
        empty = pd.DataFrame(columns=["response_id", "item_key", "missing_reason"])
        for chunk in self._source.chunks(size):
            yield fill_missing_codes(
                chunk.reset_index(drop=True),
                asked_instruments=None,
                asked_assets=by_community,
                assets_by="community",
                reasons=empty,
            )


def all_item_columns(columns: list[str], assets: pd.DataFrame) -> list[str]:
    """The columns that may hold missing-data codes: items and asset answers."""
    owners = item_instruments()
    slugs = {str(slug) for slug in assets["slug"]}
    return [column for column in columns if column in owners or _asset_slug(column, slugs) is not None]

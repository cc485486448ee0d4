"""The dataset reader's queries on the app's tables, and the pivot of answers into one row per response."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, select

from analysis.cells import DatasetError
from analysis.columns import (
    DEMOGRAPHIC_COLUMNS,
    META_COLUMNS,
    asset_column,
    asset_value_column,
    ons4_items,
    sixways_items,
    wemwbs_items,
)
from instruments.answers import quoted
from survey.datasets.paradata import paradata_columns, paradata_values, with_paradata_joins
from survey.datasets.pivot import listed, listed_matrices, text_list
from survey.datasets.tables import (
    _answer,
    _asset,
    _asset_use,
    _campaign,
    _campaign_asset,
    _campaign_instrument,
    _community,
    _instrument_version,
    _response,
    _rows,
    _valuation_adjustment,
    _workshop,
)


def answer_item_keys() -> list[str]:
    """The item answers the dataset carries (text items are left out: see analysis.dataset)."""
    return [*DEMOGRAPHIC_COLUMNS, *ons4_items(), *wemwbs_items(), *sixways_items()]


def responses_select(where: ColumnElement[bool]) -> Select[Any]:
    """Each response's metadata with its community and campaign slugs, and its paradata."""
    statement = (
        select(
            _response.c.id,
            _response.c.public_id.label("response_id"),
            _community.c.slug.label("community"),
            _campaign.c.slug.label("campaign"),
            _response.c.mode,
            _response.c.verified,
            _response.c.submitted_at,
            *paradata_columns(),
        )
        .join(_campaign, _campaign.c.id == _response.c.campaign_id)
        .join(_community, _community.c.id == _response.c.community_id)
    )
    return with_paradata_joins(statement).where(where)


def answers_select(where: ColumnElement[bool]) -> Select[Any]:
    """One row per chosen response: its id, then its answers' item keys and values as lists (`pivot`).

    Keys outside the dataset are dropped by `pivot.listed_matrices`, not here: ``item_key IN
    (...34 keys...)`` made SQLite seek the answer index once per key and response instead of
    reading one range per response. The responses are picked by ``IN``: SQLite then reads their
    answers from the covering index in response order and groups them without sorting.
    """
    key = _answer.c.item_key
    return (
        select(_answer.c.response_id, text_list(key, key), listed(_answer.c.value, key))
        .where(_answer.c.response_id.in_(select(_response.c.id).where(where)))
        .group_by(_answer.c.response_id)
    )


def uses_select(where: ColumnElement[bool]) -> Select[Any]:
    """One row per chosen response: its campaign asset ids, frequencies and importances as lists."""
    asset = _asset_use.c.campaign_asset_id
    return (
        select(
            _asset_use.c.response_id,
            text_list(asset, asset),
            listed(_asset_use.c.frequency, asset),
            listed(_asset_use.c.importance, asset),
        )
        .where(_asset_use.c.response_id.in_(select(_response.c.id).where(where)))
        .group_by(_asset_use.c.response_id)
    )


def asset_columns(connection: Any, slugs: list[str]) -> dict[str, int]:
    """{campaign asset id as text: position of its slug in `slugs`} for every snapshotted asset with one of them."""
    position = {slug: index for index, slug in enumerate(slugs)}
    pairs = _rows(connection, select(_campaign_asset.c.id, _campaign_asset.c.slug))
    return {str(key): position[slug] for key, slug in pairs.itertuples(index=False) if slug in position}


def chosen_campaigns(connection: Any, slugs: Sequence[str] | None, communities: Sequence[str] | None) -> pd.DataFrame:
    statement = (
        select(
            _campaign.c.id,
            _campaign.c.slug.label("campaign"),
            _community.c.slug.label("community"),
            _campaign.c.population_size,
            _campaign.c.sampling_method,
            _campaign.c.population_source,
            _community.c.name.label("community_name"),
            _campaign.c.practice,
            _campaign.c.opened_at,
        )
        .join(_community, _community.c.id == _campaign.c.community_id)
        .order_by(_campaign.c.opened_at, _campaign.c.id)
    )
    frame = _rows(connection, statement)
    if slugs is not None:
        _check_known("campaign", slugs, frame["campaign"])
        practice = frame[frame["campaign"].isin(list(slugs)) & frame["practice"].astype(bool)]
        if len(practice):
            raise DatasetError(
                f"campaign {quoted(practice['campaign'].iloc[0])} is a practice campaign: "
                "practice runs never enter an analysis"
            )
        frame = frame[frame["campaign"].isin(list(slugs))]
    if communities is not None:
        known = _rows(connection, select(_community.c.slug))["slug"]
        _check_known("community", communities, known)
        if slugs is not None:
            _check_campaigns_in(frame, communities)
        frame = frame[frame["community"].isin(list(communities))]
    frame = frame[~frame["practice"].astype(bool)].drop(columns=["practice"]).reset_index(drop=True)
    frame["population_size"] = pd.to_numeric(frame["population_size"]).astype("Int64")
    return frame


def _check_campaigns_in(chosen: pd.DataFrame, communities: Sequence[str]) -> None:
    """DatasetError when a campaign asked for by name is of none of the communities asked for.

    The two filters intersect, so such a campaign was silently left out: a campaign and another
    community gave an empty dataset (0 responses, an empty API page) instead of saying why.
    """
    outside = chosen[~chosen["community"].isin(list(communities))]
    if len(outside):
        raise DatasetError(outside_message(outside["campaign"].iloc[0], outside["community"].iloc[0], communities))


def outside_message(campaign: str, community: str, communities: Sequence[str]) -> str:
    """Why a campaign named with communities that do not hold it selects nothing."""
    return (
        f"The campaign {quoted(campaign)} is of the community {quoted(community)}, which is not among the "
        f"communities chosen ({', '.join(quoted(slug) for slug in communities)}): choose the campaign alone, "
        "or its community too."
    )


def _check_known(what: str, wanted: Iterable[str], known: pd.Series) -> None:
    if isinstance(wanted, str):
        raise DatasetError(f"give {what} slugs as a list, not the single string {quoted(wanted)}")
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        # In words, as the other commands say it ("unknown community(s): nowhere" read like code).
        if len(unknown) == 1:
            raise DatasetError(f"No {what} has the slug {unknown[0]}.")
        plural = "communities" if what == "community" else f"{what}s"
        raise DatasetError(f"No {plural} have the slugs {', '.join(unknown)}.")


def ids_of_communities(connection: Any, communities: Sequence[str] | None) -> list[int] | None:
    if communities is None:
        return None
    found = _rows(connection, select(_community.c.id).where(_community.c.slug.in_(list(communities))))
    return [int(i) for i in found["id"]]


def response_filter(
    campaign_ids: list[int], community_ids: list[int] | None, verified_only: bool, include_partial: bool = False
) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [_response.c.campaign_id.in_(campaign_ids)]
    if not include_partial:
        conditions.append(_response.c.status == "complete")
    if community_ids is not None:
        conditions.append(_response.c.community_id.in_(community_ids))
    if verified_only:
        conditions.append(_response.c.verified.is_(True))
    return and_(*conditions)


def campaign_assets_table(connection: Any, campaign_ids: list[int]) -> pd.DataFrame:
    statement = (
        select(
            _campaign_asset.c.slug,
            _campaign_asset.c.name,
            _campaign_asset.c.kind,
            _community.c.slug.label("community"),
            _asset.c.annual_cost,
            _asset.c.cost_year,
            _community.c.name.label("community_name"),
        )
        .join(_campaign, _campaign.c.id == _campaign_asset.c.campaign_id)
        .join(_community, _community.c.id == _campaign.c.community_id)
        .join(_asset, _asset.c.id == _campaign_asset.c.asset_id)
        .where(_campaign_asset.c.campaign_id.in_(campaign_ids))
        .order_by(_community.c.slug, _campaign_asset.c.position, _campaign.c.opened_at, _campaign.c.id)
    )
    frame = _rows(connection, statement)
    # One row per slug: the latest campaign's snapshot wins; first-seen order is kept.
    order = frame.drop_duplicates("slug", keep="first")["slug"]
    latest = frame.drop_duplicates("slug", keep="last").set_index("slug")
    latest["cost_year"] = pd.to_numeric(latest["cost_year"]).astype("Int64")
    return latest.loc[list(order)].reset_index()


def asset_places(connection: Any, campaign_ids: list[int]) -> pd.DataFrame:
    """Where the chosen campaigns' assets are, from the asset log as it stands (places are not part
    of a campaign's copy): slug, location, postcode, latitude, longitude; one row per asset."""
    asked = select(_campaign_asset.c.asset_id).where(_campaign_asset.c.campaign_id.in_(campaign_ids))
    statement = (
        select(_asset.c.slug, _asset.c.location, _asset.c.postcode, _asset.c.latitude, _asset.c.longitude)
        .where(_asset.c.id.in_(asked))
        .order_by(_asset.c.slug)
    )
    return _rows(connection, statement)


def stored_adjustments(connection: Any, chosen: pd.DataFrame, assets: pd.DataFrame) -> pd.DataFrame:
    """Per asset of the dataset, the adjustments of the latest chosen campaign that has some for it.

    "Latest" is by opening time, then id (a campaign that never opened counts as earliest), sorted
    here rather than in SQL so that SQLite and PostgreSQL, which order NULLs differently, agree.
    """
    ids = [int(i) for i in chosen["id"]]
    statement = (
        select(
            _asset.c.slug.label("asset"),
            _valuation_adjustment.c.deadweight,
            _valuation_adjustment.c.attribution,
            _valuation_adjustment.c.displacement,
            _valuation_adjustment.c.drop_off,
            _valuation_adjustment.c.years,
            _valuation_adjustment.c.reason,
            _valuation_adjustment.c.agreed_by,
            _valuation_adjustment.c.agreed_on,
            _campaign.c.slug.label("campaign"),
            _campaign.c.opened_at,
            _campaign.c.id.label("campaign_id"),
            _workshop.c.title.label("workshop_title"),
            _workshop.c.held_on.label("workshop_on"),
        )
        .join(_asset, _asset.c.id == _valuation_adjustment.c.asset_id)
        .join(_campaign, _campaign.c.id == _valuation_adjustment.c.campaign_id)
        .outerjoin(_workshop, _workshop.c.id == _valuation_adjustment.c.workshop_id)
        .where(_valuation_adjustment.c.campaign_id.in_(ids))
    )
    frame = _rows(connection, statement)
    frame = frame[frame["asset"].isin(list(assets["slug"]))].copy()
    frame["opened"] = pd.to_datetime(frame["opened_at"], utc=True, format="ISO8601")
    frame = frame.sort_values(["opened", "campaign_id"], na_position="first", kind="stable")
    frame = frame.drop_duplicates("asset", keep="last")
    # Dataset order (the asset table's), so files compare equal however they were built.
    order = {slug: position for position, slug in enumerate(assets["slug"])}
    frame = frame.sort_values("asset", key=lambda slugs: slugs.map(order), kind="stable")
    frame["agreed_on"] = frame["agreed_on"].map(_iso_date)
    frame["agreed_by"] = frame["agreed_by"].map(lambda text: text if isinstance(text, str) and text.strip() else None)
    # Where they were agreed, so every report's provenance names the workshop.
    frame["source"] = [
        None if not isinstance(title, str) else f"workshop {title} ({_iso_date(held_on)})"
        for title, held_on in zip(frame["workshop_title"], frame["workshop_on"], strict=True)
    ]
    dropped = ["opened_at", "opened", "campaign_id", "workshop_title", "workshop_on"]
    return frame.drop(columns=dropped).reset_index(drop=True)


def _iso_date(value: Any) -> str | None:
    """A date as YYYY-MM-DD (PostgreSQL gives dates, SQLite text), None when not recorded."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)[:10]


@dataclass
class Answers:
    """Some responses with their answers and asset uses as read (`read_answers`), not yet one frame."""

    responses: pd.DataFrame  # `responses_select` rows
    items: np.ndarray  # (responses, `answer_item_keys`), NaN = no answer
    frequency: np.ndarray  # (responses, assets)
    importance: np.ndarray  # (responses, assets)


def read_answers(connection: Any, responses: pd.DataFrame, where: ColumnElement[bool], slugs: list[str]) -> Answers:
    """The item answers and asset uses of `responses` (`where` picks the same responses), as arrays."""
    ids = responses["id"].to_numpy(dtype=np.int64)
    keys = answer_item_keys()
    (items,) = listed_matrices(
        connection, answers_select(where), ids, {key: position for position, key in enumerate(keys)}, len(keys)
    )
    frequency, importance = listed_matrices(
        connection, uses_select(where), ids, asset_columns(connection, slugs), len(slugs)
    )
    return Answers(responses, items, frequency, importance)


def wide_responses(answers: Answers, slugs: list[str]) -> pd.DataFrame:
    """One row per response: metadata, then item answers and asset answers pivoted to columns.

    Answers are floats here, NaN when missing; `Dataset.from_frames` types them.
    """
    frame = answers.responses.drop(columns=["id"]).reset_index(drop=True)
    frame["verified"] = frame["verified"].astype(bool).astype("Int64")
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    ordered: dict[str, Any] = {column: frame[column] for column in META_COLUMNS}
    ordered.update(paradata_values(frame))
    for position, key in enumerate(answer_item_keys()):
        ordered[key] = answers.items[:, position]
    for position, slug in enumerate(slugs):
        ordered[asset_column(slug)] = answers.frequency[:, position]
        ordered[asset_value_column(slug)] = answers.importance[:, position]
    return pd.DataFrame(ordered)


def instrument_versions_of(connection: Any, campaign_ids: list[int]) -> dict[str, dict[str, int]]:
    """{campaign slug: {instrument key: version}} as each campaign froze them when it opened."""
    frame = _rows(
        connection,
        select(_campaign.c.slug, _instrument_version.c.key, _instrument_version.c.version)
        .join(_campaign_instrument, _campaign_instrument.c.campaign_id == _campaign.c.id)
        .join(_instrument_version, _instrument_version.c.id == _campaign_instrument.c.instrument_version_id)
        .where(_campaign.c.id.in_(campaign_ids))
        .order_by(_campaign.c.slug, _campaign_instrument.c.position),
    )
    versions: dict[str, dict[str, int]] = {}
    for slug, key, version in frame.itertuples(index=False):
        versions.setdefault(str(slug), {})[str(key)] = int(version)
    return versions

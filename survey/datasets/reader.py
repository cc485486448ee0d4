"""Build the analysis dataset (`analysis.Dataset`) straight from the survey database.

Six set-based SQLAlchemy Core queries on the app's own tables (campaigns, assets, adjustments,
responses, answers, asset use) and two pandas pivots, whatever the number of responses. Needs no
Flask app: a notebook can call ``build_dataset("sqlite:///instance/survey.sqlite3")``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, and_, func, select

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
from analysis.dataset import Dataset, response_columns
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
    begin_snapshot,
    end_snapshot,
    engine_for,
    snapshot,
)

__all__ = ["DatasetReader", "build_dataset"]

Progress = Callable[[str, float], None]
ORIGINS = ("database responses", "database assets", "campaigns", "database adjustments")


def build_dataset(
    engine_or_url: Engine | str,
    *,
    campaigns: Sequence[str] | None = None,
    communities: Sequence[str] | None = None,
    verified_only: bool = False,
    progress: Progress | None = None,
) -> Dataset:
    """Read the analysis dataset from the survey database.

    Only complete responses enter; practice campaigns never do (naming one is an error).

    Parameters
    ----------
    engine_or_url
        A SQLAlchemy engine, or a database URL (``postgresql://`` uses the psycopg driver).
    campaigns, communities
        Slugs to restrict to (None: all). Unknown slugs raise ValueError.
    verified_only
        Leave out responses still awaiting double entry or with unresolved discrepancies.
    progress
        Optional ``callable(step_name, fraction)``, called as each query finishes.

    Returns
    -------
    Dataset
        ``responses`` (scored, ``assets_used_<kind>`` counted), ``assets`` (one row per asset
        slug asked in the chosen campaigns; name and kind from the latest campaign's snapshot,
        annual cost and its price year from the asset log, community name), ``campaigns``
        (population size and its source, sampling method, community name) and ``adjustments``
        (per asset, the SROI adjustments stored for the latest chosen campaign that has some for
        it, by opening time then id, with that campaign's slug in ``campaign``).
    """
    report = progress or (lambda _step, _fraction: None)
    owned = isinstance(engine_or_url, str)
    engine = engine_for(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        with snapshot(engine) as connection:
            chosen = _campaigns(connection, campaigns, communities)
            report("campaigns", 0.1)
            ids = [int(i) for i in chosen["id"]]
            community_ids = _community_ids(connection, communities)
            where = _response_filter(ids, community_ids, verified_only)
            assets = _assets(connection, ids)
            adjustments = _adjustments(connection, chosen, assets)
            report("assets", 0.2)
            responses = _rows(connection, _responses_select(where).order_by(_response.c.submitted_at, _response.c.id))
            report("responses", 0.35)
            keys = _item_keys()
            answers = _rows(connection, _answers_select(where, keys))
            report("answers", 0.6)
            uses = _rows(connection, _uses_select(where))
            report("asset use", 0.8)
    finally:
        if owned:
            engine.dispose()

    frame = _wide(responses, answers, uses, keys, list(assets["slug"]))
    dataset = Dataset.from_frames(frame, assets, chosen.drop(columns=["id", "opened_at"]), adjustments, origins=ORIGINS)
    report("scoring", 1.0)
    return dataset


def _item_keys() -> list[str]:
    """The item answers the dataset carries (text items are left out: see analysis.dataset)."""
    return [*DEMOGRAPHIC_COLUMNS, *ons4_items(), *wemwbs_items(), *sixways_items()]


def _responses_select(where: ColumnElement[bool]) -> Select[Any]:
    """Each response's metadata with its community and campaign slugs."""
    return (
        select(
            _response.c.id,
            _response.c.public_id.label("response_id"),
            _community.c.slug.label("community"),
            _campaign.c.slug.label("campaign"),
            _response.c.mode,
            _response.c.verified,
            _response.c.submitted_at,
        )
        .join(_campaign, _campaign.c.id == _response.c.campaign_id)
        .join(_community, _community.c.id == _response.c.community_id)
        .where(where)
    )


def _answers_select(where: ColumnElement[bool], keys: list[str]) -> Select[Any]:
    """One row per (response, item) answer of the chosen responses."""
    return (
        select(_answer.c.response_id, _answer.c.item_key, _answer.c.value)
        .join(_response, _response.c.id == _answer.c.response_id)
        .where(where, _answer.c.item_key.in_(keys))
    )


def _uses_select(where: ColumnElement[bool]) -> Select[Any]:
    """One row per (response, asset) use, with the asset's slug from the campaign's snapshot."""
    return (
        select(_asset_use.c.response_id, _campaign_asset.c.slug, _asset_use.c.frequency, _asset_use.c.importance)
        .join(_campaign_asset, _campaign_asset.c.id == _asset_use.c.campaign_asset_id)
        .join(_response, _response.c.id == _asset_use.c.response_id)
        .where(where)
    )


def _campaigns(connection: Any, slugs: Sequence[str] | None, communities: Sequence[str] | None) -> pd.DataFrame:
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
                f"campaign {practice['campaign'].iloc[0]!r} is a practice campaign: "
                "practice runs never enter an analysis"
            )
        frame = frame[frame["campaign"].isin(list(slugs))]
    if communities is not None:
        known = _rows(connection, select(_community.c.slug))["slug"]
        _check_known("community", communities, known)
        frame = frame[frame["community"].isin(list(communities))]
    frame = frame[~frame["practice"].astype(bool)].drop(columns=["practice"]).reset_index(drop=True)
    frame["population_size"] = pd.to_numeric(frame["population_size"]).astype("Int64")
    return frame


def _check_known(what: str, wanted: Iterable[str], known: pd.Series) -> None:
    if isinstance(wanted, str):
        raise DatasetError(f"give {what} slugs as a list, not the single string {wanted!r}")
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise DatasetError(f"unknown {what}(s): {', '.join(unknown)}")


def _community_ids(connection: Any, communities: Sequence[str] | None) -> list[int] | None:
    if communities is None:
        return None
    found = _rows(connection, select(_community.c.id).where(_community.c.slug.in_(list(communities))))
    return [int(i) for i in found["id"]]


def _response_filter(
    campaign_ids: list[int], community_ids: list[int] | None, verified_only: bool
) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [
        _response.c.status == "complete",
        _response.c.campaign_id.in_(campaign_ids),
    ]
    if community_ids is not None:
        conditions.append(_response.c.community_id.in_(community_ids))
    if verified_only:
        conditions.append(_response.c.verified.is_(True))
    return and_(*conditions)


def _assets(connection: Any, campaign_ids: list[int]) -> pd.DataFrame:
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


def _adjustments(connection: Any, chosen: pd.DataFrame, assets: pd.DataFrame) -> pd.DataFrame:
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
        )
        .join(_asset, _asset.c.id == _valuation_adjustment.c.asset_id)
        .join(_campaign, _campaign.c.id == _valuation_adjustment.c.campaign_id)
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
    return frame.drop(columns=["opened_at", "opened", "campaign_id"]).reset_index(drop=True)


def _iso_date(value: Any) -> str | None:
    """A date as YYYY-MM-DD (PostgreSQL gives dates, SQLite text), None when not recorded."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)[:10]


def _wide(
    responses: pd.DataFrame, answers: pd.DataFrame, uses: pd.DataFrame, keys: list[str], slugs: list[str]
) -> pd.DataFrame:
    """One row per response: metadata, then item answers and asset answers pivoted to columns."""
    frame = responses.set_index("id")
    frame["verified"] = frame["verified"].astype(bool).astype("Int64")
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    columns: dict[str, pd.Series] = {}
    if len(answers):
        items = answers.pivot(index="response_id", columns="item_key", values="value")
        items = items.reindex(index=frame.index)
        for key in keys:
            if key in items:
                columns[key] = items[key]
    if len(uses):
        frequency = uses.pivot(index="response_id", columns="slug", values="frequency").reindex(index=frame.index)
        importance = uses.pivot(index="response_id", columns="slug", values="importance").reindex(index=frame.index)
        for slug in slugs:
            if slug in frequency:
                columns[asset_column(slug)] = frequency[slug]
                columns[asset_value_column(slug)] = importance[slug]
    empty = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    ordered = {column: frame[column] for column in META_COLUMNS}
    for key in keys:
        ordered[key] = columns.get(key, empty)
    for slug in slugs:
        for column in (asset_column(slug), asset_value_column(slug)):
            ordered[column] = columns.get(column, empty)
    return pd.DataFrame(ordered).reset_index(drop=True)


class DatasetReader:
    """The analysis dataset read in chunks of responses, for exports and API pages of any size.

    Use as a context manager: on entry it opens one connection and one read transaction (a
    REPEATABLE READ snapshot on PostgreSQL, a deferred ``BEGIN`` on SQLite, whose WAL mode gives
    the same snapshot without blocking writers), so every chunk and the totals describe the same
    moment even while residents keep submitting. `assets`, `campaigns`, `columns` and `total` are
    known before the first chunk, so a file's header can be written first.

    Responses come in order of their internal id (the order they were stored); `last_id` is the
    internal id of the last row yielded, a cursor for the next page.

    >>> with DatasetReader(url, campaigns=["dover-town"]) as reader:   # doctest: +SKIP
    ...     for chunk in reader.chunks(size=5000):
    ...         chunk.to_csv(out, header=False, index=False)
    """

    def __init__(
        self,
        engine_or_url: Engine | str,
        *,
        campaigns: Sequence[str] | None = None,
        communities: Sequence[str] | None = None,
        verified_only: bool = False,
    ) -> None:
        self._owned = isinstance(engine_or_url, str)
        self._engine = engine_for(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
        self._filters = (campaigns, communities, verified_only)
        self._connection: Any = None
        self._transaction: Any = None
        self.last_id: int | None = None

    def __enter__(self) -> DatasetReader:
        connection, self._transaction = begin_snapshot(self._engine)
        try:
            campaigns, communities, verified_only = self._filters
            chosen = _campaigns(connection, campaigns, communities)
            ids = [int(i) for i in chosen["id"]]
            self._where = _response_filter(ids, _community_ids(connection, communities), verified_only)
            self.assets = _assets(connection, ids)
            self.adjustments = _adjustments(connection, chosen, self.assets)
            self.campaigns = chosen.drop(columns=["id", "opened_at"]).reset_index(drop=True)
            self.campaigns["population_size"] = self.campaigns["population_size"].astype("Int64")
            self.instrument_versions = _instrument_versions(connection, ids)
            counted = _rows(connection, select(func.count()).select_from(_response).where(self._where))
            self.total = int(counted.to_numpy()[0, 0])
        except BaseException:
            self._end(connection)
            raise
        self._connection = connection
        self.columns = response_columns(self.assets["slug"])
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._connection is not None:
            self._end(self._connection)
            self._connection = None

    def _end(self, connection: Any) -> None:
        try:
            end_snapshot(connection, self._transaction)
        finally:
            self._transaction = None
            if self._owned:
                self._engine.dispose()

    def chunks(
        self, size: int = 5000, *, after_id: int | None = None, limit: int | None = None
    ) -> Iterator[pd.DataFrame]:
        """Scored response DataFrames of up to `size` rows (the dataset's `responses` format).

        `after_id` starts after that internal id (a previous `last_id`); `limit` stops after that
        many rows in all. Memory stays bounded by `size`, whatever the total.
        """
        if self._connection is None:
            raise RuntimeError("use DatasetReader as a context manager")
        keys = _item_keys()
        slugs = list(self.assets["slug"])
        cursor = after_id
        remaining = limit
        while remaining is None or remaining > 0:
            take = size if remaining is None else min(size, remaining)
            page = _response.c.id > cursor if cursor is not None else _response.c.id.isnot(None)
            responses = _rows(
                self._connection, _responses_select(and_(self._where, page)).order_by(_response.c.id).limit(take)
            )
            if responses.empty:
                return
            low, high = int(responses["id"].iloc[0]), int(responses["id"].iloc[-1])
            in_chunk = and_(self._where, _response.c.id.between(low, high))
            answers = _rows(self._connection, _answers_select(in_chunk, keys))
            uses = _rows(self._connection, _uses_select(in_chunk))
            frame = _wide(responses, answers, uses, keys, slugs)
            chunk = Dataset.from_frames(frame, self.assets, self.campaigns, origins=ORIGINS).responses
            self.last_id = high
            cursor = high
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
            if len(responses) < take:
                return


def _instrument_versions(connection: Any, campaign_ids: list[int]) -> dict[str, dict[str, int]]:
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

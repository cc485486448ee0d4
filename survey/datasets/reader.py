"""Build the analysis dataset (`analysis.Dataset`) straight from the survey database.

Six set-based SQLAlchemy Core queries on the app's own tables (campaigns, assets, adjustments,
responses, answers, asset use) and two pandas pivots, whatever the number of responses. Needs no
Flask app: a notebook can call ``build_dataset("sqlite:///instance/survey.sqlite3")``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from analysis.dataset import Dataset, response_columns
from survey.datasets.missing_codes import StoredReasons, coded_chunk, stored_reasons
from survey.datasets.pivot import id_column
from survey.datasets.prefetch import prefetched
from survey.datasets.queries import (
    Answers,
    asset_places,
    campaign_assets_table,
    chosen_campaigns,
    ids_of_communities,
    instrument_versions_of,
    read_answers,
    response_filter,
    responses_select,
    stored_adjustments,
    wide_responses,
)
from survey.datasets.tables import (
    _response,
    _rows,
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
            chosen = chosen_campaigns(connection, campaigns, communities)
            report("campaigns", 0.1)
            ids = [int(i) for i in chosen["id"]]
            community_ids = ids_of_communities(connection, communities)
            where = response_filter(ids, community_ids, verified_only)
            assets = campaign_assets_table(connection, ids)
            adjustments = stored_adjustments(connection, chosen, assets)
            report("assets", 0.2)
            responses = _rows(connection, responses_select(where).order_by(_response.c.submitted_at, _response.c.id))
            report("responses", 0.35)
            slugs = list(assets["slug"])
            frame = wide_responses(read_answers(connection, responses, where, slugs), slugs)
            report("answers and asset use", 0.8)
    finally:
        if owned:
            engine.dispose()

    dataset = Dataset.from_frames(frame, assets, chosen.drop(columns=["id", "opened_at"]), adjustments, origins=ORIGINS)
    report("scoring", 1.0)
    return dataset


@dataclass
class _Read:
    """One chunk as read from the database, before checking and scoring."""

    answers: Answers
    last_id: int  # the internal id of its last response
    reasons: StoredReasons | None  # for missing-data codes, when asked for


class DatasetReader:
    """The analysis dataset read in chunks of responses, for exports and API pages of any size.

    Use as a context manager: on entry it opens one connection and one read transaction (a
    REPEATABLE READ snapshot on PostgreSQL, a deferred ``BEGIN`` on SQLite, whose WAL mode gives
    the same snapshot without blocking writers), so every chunk and the totals describe the same
    moment even while residents keep submitting. `assets`, `campaigns`, `columns` and `total` are
    known before the first chunk, so a file's header can be written first.

    Responses come in order of their internal id (the order they were stored); `last_id` is the
    internal id of the last row yielded, a cursor for the next page.

    Complete responses only, unless `include_partial` (exports made on request): unsubmitted ones
    then come too, with ``status`` partial and blank scores where items are missing.

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
        include_partial: bool = False,
    ) -> None:
        self._owned = isinstance(engine_or_url, str)
        self._engine = engine_for(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
        self._filters = (campaigns, communities, verified_only)
        # Exports on request only (status "partial"); the analysis never reads them.
        self._include_partial = include_partial
        self._connection: Any = None
        self._transaction: Any = None
        self.last_id: int | None = None
        self._prefetching: Generator[_Read] | None = None

    def __enter__(self) -> DatasetReader:
        connection, self._transaction = begin_snapshot(self._engine)
        try:
            campaigns, communities, verified_only = self._filters
            chosen = chosen_campaigns(connection, campaigns, communities)
            ids = [int(i) for i in chosen["id"]]
            self._where = response_filter(
                ids, ids_of_communities(connection, communities), verified_only, self._include_partial
            )
            self.assets = campaign_assets_table(connection, ids)
            self.places = asset_places(connection, ids)
            self.adjustments = stored_adjustments(connection, chosen, self.assets)
            self.campaigns = chosen.drop(columns=["id", "opened_at"]).reset_index(drop=True)
            self.campaigns["population_size"] = self.campaigns["population_size"].astype("Int64")
            self.instrument_versions = instrument_versions_of(connection, ids)
            counted = _rows(connection, select(func.count()).select_from(_response).where(self._where))
            self.total = int(counted.to_numpy()[0, 0])
        except BaseException:
            self._end(connection)
            raise
        self._connection = connection
        self.columns = response_columns(self.assets["slug"])
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._prefetching is not None:
            # A caller that failed mid-export may still hold its chunks: the thread reading the next
            # one must stop before the connection closes under it.
            self._prefetching.close()
            self._prefetching = None
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
        self,
        size: int = 5000,
        *,
        after_id: int | None = None,
        limit: int | None = None,
        missing_codes: bool = False,
    ) -> Iterator[pd.DataFrame]:
        """Scored response DataFrames of up to `size` rows (the dataset's `responses` format).

        `after_id` starts after that internal id (a previous `last_id`); `limit` stops after that
        many rows in all. Memory stays bounded by `size`, whatever the total. `missing_codes`
        fills blank answers with their missing-data codes (`survey.datasets.missing_codes`).
        A whole read (no `limit`: an export) reads each chunk on a thread while the caller
        works on the one before (`prefetch`); a page (`limit`: the API) reads only its rows.
        """
        if self._connection is None:
            raise RuntimeError("use DatasetReader as a context manager")
        slugs = list(self.assets["slug"])
        reads: Iterator[_Read] = self._reads(size, after_id, limit, missing_codes)
        if limit is None:
            reads = self._prefetching = prefetched(reads)
        for read in reads:
            frame = wide_responses(read.answers, slugs)
            reasons, last_id = read.reasons, read.last_id
            del read  # its arrays are in `frame` now: not kept while the chunk is checked
            chunk = Dataset.from_frames(frame, self.assets, self.campaigns, origins=ORIGINS).responses
            del frame
            if reasons is not None:
                chunk = coded_chunk(reasons, chunk)
            self.last_id = last_id
            # Only the caller keeps the chunk: the next one is built without this one's frames beside it.
            yield chunk
            del chunk

    def _reads(self, size: int, after_id: int | None, limit: int | None, missing_codes: bool) -> Iterator[_Read]:
        """The database side of `chunks`, all its SQL: each chunk's responses, answers and uses."""
        slugs = list(self.assets["slug"])
        cursor = after_id
        remaining = limit
        # A whole export reads its ids once and each chunk by its id range: "id > cursor ORDER BY id
        # LIMIT n" made SQLite join and sort every remaining response for each chunk (a temporary
        # B-tree), quadratic in the total (1,000,000 responses: 20 s of the export's CPU).
        bounds = self._id_ranges(after_id, size) if limit is None else None
        while remaining is None or remaining > 0:
            take = size if remaining is None else min(size, remaining)
            if bounds is not None:
                span = next(bounds, None)
                if span is None:
                    return
                statement = responses_select(and_(self._where, _response.c.id.between(*span)))
            else:
                page = _response.c.id > cursor if cursor is not None else _response.c.id.isnot(None)
                statement = responses_select(and_(self._where, page)).limit(take)
            responses = _rows(self._connection, statement.order_by(_response.c.id))
            if responses.empty:
                return
            low, high = int(responses["id"].iloc[0]), int(responses["id"].iloc[-1])
            in_chunk = and_(self._where, _response.c.id.between(low, high))
            reasons = None
            if missing_codes:
                reasons = stored_reasons(self._connection, in_chunk, list(responses["campaign"].astype(str)))
            cursor = high
            if remaining is not None:
                remaining -= len(responses)
            last = len(responses) < take
            yield _Read(read_answers(self._connection, responses, in_chunk, slugs), high, reasons)
            del responses, reasons  # not kept while the next chunk is read
            if last:
                return

    def _id_ranges(self, after_id: int | None, size: int) -> Iterator[tuple[int, int]]:
        """(first id, last id) of each run of `size` chosen responses after `after_id`, in id order."""
        page = _response.c.id > after_id if after_id is not None else _response.c.id.isnot(None)
        ids = id_column(
            self._connection, select(_response.c.id).where(and_(self._where, page)).order_by(_response.c.id)
        )
        for start in range(0, len(ids), size):
            yield int(ids[start]), int(ids[min(start + size, len(ids)) - 1])

    def coded_chunks(self, size: int = 5000) -> Iterator[pd.DataFrame]:
        """`chunks` with missing-data codes in place of blank answers."""
        return self.chunks(size, missing_codes=True)

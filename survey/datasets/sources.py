"""What every export writer reads: a `DatasetReader` or a `Dataset` seen the same way, and its tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from analysis.adjustments import empty_adjustments, prepare_adjustments
from analysis.columns import CAMPAIGN_COLUMNS, OPTIONAL_CAMPAIGN_COLUMNS
from analysis.dataset import Dataset, response_columns
from survey.models import EXPORT_CONTENTS, EXPORT_FORMATS

FORMATS = EXPORT_FORMATS
CONTENTS = EXPORT_CONTENTS
# Responses per chunk of an export: each chunk's work is mostly per column (143 columns with 40
# assets), so bigger chunks cost less per row (issue 14, point 5; CPU for 100,000 responses x 40
# assets: 5,000 -> 15,000 took 8.4 s -> 7.0 s). Since the next chunk is read on a thread while
# one is written (`prefetch`), two chunks are in memory at once: 10,000 keeps the CSV export's
# peak RSS near 290 MB, under the 300 MB target (15,000 then reached 320 MB).
CHUNK_ROWS = 10_000


Progress = Callable[[str, float], None]


class ExportError(ValueError):
    """The export cannot be made as asked; the message says why and what to choose instead."""


class Source(Protocol):
    """What an export reads: an entered `analysis.DatasetReader`, or a `Dataset` via `_DatasetSource`."""

    assets: pd.DataFrame
    total: int
    columns: list[str]

    def chunks(self, size: int = ...) -> Iterator[pd.DataFrame]: ...


@dataclass
class _DatasetSource:
    """A `Dataset` in memory read like a `DatasetReader`, for notebooks and tests."""

    dataset: Dataset

    def __post_init__(self) -> None:
        self.assets = self.dataset.assets
        campaigns = self.dataset.campaigns
        if campaigns.empty:  # no population table given: the campaigns are those of the responses
            pairs = self.dataset.responses[["campaign", "community"]].drop_duplicates().reset_index(drop=True)
            campaigns = pairs.assign(
                population_size=pd.array([pd.NA] * len(pairs), dtype="Int64"), sampling_method=None
            )
        self.campaigns = campaigns.loc[
            :, [c for c in (*CAMPAIGN_COLUMNS, *OPTIONAL_CAMPAIGN_COLUMNS) if c in campaigns]
        ]
        self.adjustments = self.dataset.adjustments
        self.total = len(self.dataset.responses)
        self.columns = response_columns(self.assets["slug"])
        self.instrument_versions: dict[str, dict[str, int]] = {}

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        for start in range(0, self.total, size):
            yield self.dataset.responses.iloc[start : start + size]


def as_source(reader_or_dataset: Source | Dataset) -> Source:
    return _DatasetSource(reader_or_dataset) if isinstance(reader_or_dataset, Dataset) else reader_or_dataset


def file_names(format: str) -> dict[str, str]:
    tables = ("responses", "assets", "campaigns")
    if format == "xlsx":
        names = {name: f"dataset.xlsx (sheet {name})" for name in tables}
    else:
        names = {name: f"{name}.{format}" for name in tables}
    return {**names, "adjustments": "adjustments.csv"}  # always CSV: the analysis's input format


def report_progress(progress: Progress | None, step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done / total if total else 1.0)


def assets_table(source: Source) -> pd.DataFrame:
    """The assets table with costs as numbers (PostgreSQL's numeric arrives as Decimal objects)."""
    assets = source.assets.copy()
    assets["annual_cost"] = pd.to_numeric(assets["annual_cost"]).astype("float64")
    if "cost_year" in assets:
        assets["cost_year"] = pd.to_numeric(assets["cost_year"]).astype("Int64")
    return assets


def campaigns_table(source: Source) -> pd.DataFrame:
    """The campaigns table (population size and sampling method per campaign) in the format's columns."""
    campaigns = getattr(source, "campaigns", None)
    if campaigns is None:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in CAMPAIGN_COLUMNS})
    columns = [column for column in (*CAMPAIGN_COLUMNS, *OPTIONAL_CAMPAIGN_COLUMNS) if column in campaigns]
    table = campaigns.loc[:, columns].copy()
    table["population_size"] = pd.to_numeric(table["population_size"]).astype("Int64")
    return table.reset_index(drop=True)


def adjustments_table(source: Source) -> pd.DataFrame:
    """The stored SROI adjustments of the exported assets, checked as the analysis reads them."""
    adjustments = getattr(source, "adjustments", None)
    if adjustments is None or adjustments.empty:
        frame = empty_adjustments()
        frame["campaign"] = pd.Series(dtype=object)
        return frame
    return prepare_adjustments(adjustments, origin="adjustments.csv")

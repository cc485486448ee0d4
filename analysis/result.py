"""The tables of one analysis run, the dataset it used and the settings: what the report reads.

Its own module so that the report (which reads a result) and the pipeline (which makes one and
writes the report) do not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.config import AnalysisConfig
from analysis.dataset import Dataset
from analysis.scales import WellbeingScale, scale_of

# The five tables named by issue 4 (parts 3-6), then the supplementary tables the report shows.
MAIN_TABLES = ("descriptives", "reliability", "asset_effects", "kind_effects", "asset_value")
SUPPLEMENTARY_TABLES = (
    "wemwbs_bands",
    "norm_comparison",
    "item_total",
    "dose_response",
    "swemwbs_effects",
    "asset_use",
    "value_sensitivity",
)


@dataclass(frozen=True, eq=False)
class AnalysisTables:
    """Every table of one analysis run, the dataset it used and the settings.

    ``descriptives``, ``reliability``, ``asset_effects``, ``kind_effects`` and ``asset_value``
    are the issue's CSV files; ``wemwbs_bands``, ``norm_comparison``, ``item_total``,
    ``dose_response`` (frequency 0-4 as a slope), ``swemwbs_effects`` (SWEMWBS as the
    outcome, a sensitivity check, with its own valuation columns; no rows when the run's
    outcome is SWEMWBS already, see `scale`), ``asset_use`` (use and
    importance per asset) and ``value_sensitivity`` (the tornado of each clear asset) feed the
    report. ``provenance`` is written as ``provenance.json``. ``workshop_ratings`` (optional,
    `analysis.workshop_ratings`) is what impact workshops said about the assets, counts only.
    ``deep_dive_counts`` and ``deep_dive_quotes`` (optional, `analysis.deep_dive_quotes`) are what
    deep-dive interviews said: the counts are a table, the quotes reach the report's text only.
    """

    descriptives: pd.DataFrame
    reliability: pd.DataFrame
    asset_effects: pd.DataFrame
    kind_effects: pd.DataFrame
    asset_value: pd.DataFrame
    wemwbs_bands: pd.DataFrame
    norm_comparison: pd.DataFrame
    item_total: pd.DataFrame
    dose_response: pd.DataFrame
    swemwbs_effects: pd.DataFrame
    asset_use: pd.DataFrame
    value_sensitivity: pd.DataFrame
    dataset: Dataset
    config: AnalysisConfig
    summary: dict[str, Any]
    provenance: dict[str, Any]
    workshop_ratings: pd.DataFrame | None = None
    deep_dive_counts: pd.DataFrame | None = None
    deep_dive_quotes: pd.DataFrame | None = None

    @property
    def scale(self) -> WellbeingScale:
        """The wellbeing scale the asset models used: WEMWBS, or SWEMWBS for a short-form survey."""
        return scale_of(str(self.summary.get("scale", "wemwbs")))

    def tables(self) -> dict[str, pd.DataFrame]:
        """The main tables, then the supplementary ones, by file stem (``workshop_ratings`` and
        ``deep_dive_counts`` last, when given; the quotes' text is never a table file)."""
        tables = {name: getattr(self, name) for name in (*MAIN_TABLES, *SUPPLEMENTARY_TABLES)}
        if self.workshop_ratings is not None:
            tables["workshop_ratings"] = self.workshop_ratings
        if self.deep_dive_counts is not None:
            tables["deep_dive_counts"] = self.deep_dive_counts
        return tables

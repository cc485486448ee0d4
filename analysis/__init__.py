"""Statistical analysis for the impact workshop (descriptives against norms, reliability,
asset-to-wellbeing models, money value per asset, a self-contained HTML report).
Pure pandas/statsmodels: no Flask import.

Public API
----------
read_dataset(responses_csv, assets_csv, campaigns_csv=None, adjustments_csv=None) -> Dataset
read_dataset(path) -> Dataset (a folder of those CSVs, or the app's CSV export zip)
run(responses, assets, *, campaigns=None, adjustments=None, config=None, progress=None, filters=None) -> AnalysisResult
read_adjustments(path) -> DataFrame;  read_deflators(path) -> Deflators (for AnalysisConfig(deflators=...))
random_effects(effects, se, method="REML") -> RandomEffects (BLUPs, as R metafor)
with_workshop_ratings(result, frame) -> AnalysisResult (impact workshop ratings for the report; optional)
with_deep_dive_quotes(result, counts, quotes) -> AnalysisResult (what deep-dive interviews said; optional)
codebook(assets=None) -> DataFrame;  codebook_markdown(table=None) -> str
Command line: ``python -m analysis report RESPONSES.csv --assets ASSETS.csv --out DIR``.

The dataset straight from the survey database (`build_dataset(url)`, `DatasetReader`) and the
report from it (`report_from_database`) belong to the app: `survey.datasets`.
"""

from __future__ import annotations

from typing import Any

from analysis.adjustments import read_adjustments
from analysis.cells import DatasetError
from analysis.codebook import codebook, codebook_markdown
from analysis.config import AnalysisConfig, Deflators, read_deflators
from analysis.dataset import Dataset
from analysis.dataset_files import read_dataset
from analysis.deep_dive_quotes import with_deep_dive_quotes
from analysis.mixedlm import fit_mixedlm
from analysis.models import benjamini_hochberg
from analysis.ols import fit_crv3
from analysis.pipeline import AnalysisResult, run, run_dataset
from analysis.reliability import cronbach_alpha
from analysis.shrinkage import random_effects
from analysis.workshop_ratings import with_workshop_ratings

__all__ = [
    "AnalysisConfig",
    "AnalysisResult",
    "Dataset",
    "DatasetError",
    "Deflators",
    "benjamini_hochberg",
    "codebook",
    "codebook_markdown",
    "cronbach_alpha",
    "fit_crv3",
    "fit_mixedlm",
    "random_effects",
    "read_adjustments",
    "read_dataset",
    "read_deflators",
    "render_report",
    "run",
    "run_dataset",
    "with_deep_dive_quotes",
    "with_workshop_ratings",
    "write_report",
]


def __getattr__(name: str) -> Any:
    # The report needs matplotlib, which is slow to import: load it only when asked for.
    if name in ("write_report", "render_report"):
        from analysis import report

        return getattr(report, name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")

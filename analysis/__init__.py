"""Statistical analysis for the impact workshop (descriptives against norms, reliability,
asset-to-wellbeing models, money value per asset, a self-contained HTML report).
Pure pandas/statsmodels: no Flask import.

Public API
----------
read_dataset(responses_csv, assets_csv, campaigns_csv=None, adjustments_csv=None) -> Dataset
read_dataset(path) -> Dataset (a folder of those CSVs, or the app's CSV export zip)
run(responses, assets, *, campaigns=None, adjustments=None, config=None, progress=None, filters=None) -> AnalysisResult
    (``.scale``: the wellbeing scale modelled, WEMWBS or, for a survey that asked only the short form, SWEMWBS)
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

import importlib
from typing import TYPE_CHECKING, Any

from analysis.adjustments import read_adjustments
from analysis.cells import DatasetError
from analysis.codebook import codebook, codebook_markdown
from analysis.config import AnalysisConfig, Deflators, read_deflators
from analysis.dataset import Dataset
from analysis.dataset_files import read_dataset
from analysis.deep_dive_quotes import with_deep_dive_quotes
from analysis.shrinkage import random_effects
from analysis.workshop_ratings import with_workshop_ratings

if TYPE_CHECKING:
    from analysis.mixedlm import fit_mixedlm
    from analysis.models import benjamini_hochberg
    from analysis.ols import fit_crv3
    from analysis.pipeline import AnalysisResult, run, run_dataset
    from analysis.reliability import cronbach_alpha
    from analysis.report import render_report, write_report

# Loaded when first asked for: the models need statsmodels and scipy (~80 MB), the report
# matplotlib (slow to import), and reading or exporting a dataset needs neither (the streamed
# export of a million responses must stay under 300 MB: bench/bench_export.py).
_LAZY = {
    "fit_mixedlm": "analysis.mixedlm",
    "benjamini_hochberg": "analysis.models",
    "fit_crv3": "analysis.ols",
    "AnalysisResult": "analysis.pipeline",
    "run": "analysis.pipeline",
    "run_dataset": "analysis.pipeline",
    "cronbach_alpha": "analysis.reliability",
    "render_report": "analysis.report",
    "write_report": "analysis.report",
}

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
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

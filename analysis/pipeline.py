"""The whole analysis on DataFrames (`run`) and its result (`AnalysisResult`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.asset_use import asset_use
from analysis.cells import DatasetError, guard_formulas
from analysis.columns import DEMOGRAPHIC_COLUMNS
from analysis.config import AnalysisConfig
from analysis.dataset import Dataset
from analysis.descriptives import descriptives, norm_comparison, wemwbs_bands
from analysis.disclosure import written
from analysis.evidence import valued_effects
from analysis.models import ASSET_EFFECT_COLUMNS, asset_effects, kind_effects
from analysis.paradata import drop_partial
from analysis.provenance import build_provenance
from analysis.reliability import item_total_table, reliability
from analysis.result import AnalysisTables
from analysis.scales import WEMWBS, WellbeingScale, outcome_scale
from analysis.valuation import asset_value, bridged_values

Progress = Callable[[str, float], None]


class AnalysisResult(AnalysisTables):
    """Every table of one analysis run (see `AnalysisTables`), with the writer of its output folder."""

    def write(self, directory: str | Path, *, report: bool = True) -> dict[str, Path]:
        """Write every table as ``<name>.csv`` (blank = missing) and, unless told not to, ``report.html``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = {}
        for name, table in self.tables().items():
            paths[name] = out / f"{name}.csv"
            # Names, reasons and notes are free text typed by staff: defused before a spreadsheet sees them.
            shown = written(table, self.config.disclosure_threshold)
            guard_formulas(shown).to_csv(paths[name], index=False, lineterminator="\n")
        paths["provenance"] = out / "provenance.json"
        paths["provenance"].write_text(json.dumps(self.provenance, indent=2, default=str) + "\n", encoding="utf-8")
        if report:
            from analysis.report import write_report  # matplotlib is imported only when a report is made

            paths["report"] = write_report(self, out / "report.html")
        return paths


def run(
    responses: pd.DataFrame,
    assets: pd.DataFrame,
    *,
    campaigns: pd.DataFrame | None = None,
    adjustments: pd.DataFrame | None = None,
    config: AnalysisConfig | None = None,
    progress: Progress | None = None,
    filters: Mapping[str, Any] | None = None,
) -> AnalysisResult:
    """Run descriptives, reliability, asset models and valuation on a dataset held in DataFrames.

    Parameters
    ----------
    responses, assets
        Tables in the dataset format (``responses.csv``, ``assets.csv``); checked, and the
        scores recomputed from the items. DatasetError (a ValueError) names a bad column.
        Rows whose ``status`` is ``partial`` are left out (the analysis uses complete responses).
    campaigns
        Optional ``campaigns.csv`` table (population size and sampling method), used only to
        scale surveyed users to the community in the valuation.
    adjustments
        Optional agreed SROI adjustments (``adjustments.csv``, `analysis.adjustments`): assets
        with a row are valued net, the others gross.
    config
        Settings; default `AnalysisConfig()` (threshold 10, HSE 2016 norms, HM Treasury WELLBY
        values, 0.13 LS points per WEMWBS point, 2019 prices, alpha 0.05).
    progress
        Optional ``callable(step_name, fraction)`` called between steps (fraction 0-1).
    filters
        What the data was selected by (campaigns, communities, ``verified_only``): recorded in
        the provenance, never applied here.

    Returns
    -------
    AnalysisResult
    """
    settings = AnalysisConfig() if config is None else config
    report = progress or (lambda _step, _fraction: None)
    report("checking the data", 0.0)
    complete, dropped = drop_partial(responses)  # an export made with partial responses included
    dataset = replace(Dataset.from_frames(complete, assets, campaigns, adjustments), partial_dropped=dropped)
    return run_dataset(dataset, config=settings, progress=report, filters=filters)


def run_dataset(
    dataset: Dataset,
    *,
    config: AnalysisConfig | None = None,
    progress: Progress | None = None,
    filters: Mapping[str, Any] | None = None,
) -> AnalysisResult:
    """`run` on an already checked `Dataset` (from `build_dataset` or `read_dataset`)."""
    settings = AnalysisConfig() if config is None else config
    report = progress or (lambda _step, _fraction: None)
    frame, assets = dataset.responses, dataset.assets
    if len(frame) == 0:
        raise DatasetError("there are no complete responses to analyse")
    scale = outcome_scale(frame, minimum=2 * settings.min_group)  # enough for one asset model
    report("descriptives", 0.05)
    described = descriptives(frame, settings)
    bands = wemwbs_bands(frame, settings, scale)
    norms = norm_comparison(frame, settings, scale)
    report("reliability", 0.15)
    alphas = reliability(frame, settings)
    item_total = item_total_table(frame)
    report("asset models", 0.25)
    effects = asset_effects(frame, assets, settings, outcome=scale.key)
    report("dose-response models", 0.4)
    dose = asset_effects(frame, assets, settings, outcome=scale.key, exposure="frequency")
    report("SWEMWBS sensitivity models", 0.5)
    short = swemwbs_sensitivity(dataset, settings) if scale is WEMWBS else empty_sensitivity()
    report("cross-community models", 0.6)
    kinds = kind_effects(frame, assets, settings, outcome=scale.key)
    report("valuation", 0.85)
    valued = valued_effects(frame, assets, effects, settings, scale)
    values, sensitivity = asset_value(valued, assets, frame, dataset.campaigns, dataset.adjustments, settings)
    use = asset_use(frame, assets, settings)
    report("done", 1.0)
    return AnalysisResult(
        descriptives=described,
        reliability=alphas,
        asset_effects=effects,
        kind_effects=kinds,
        asset_value=values,
        wemwbs_bands=bands,
        norm_comparison=norms,
        item_total=item_total,
        dose_response=dose,
        swemwbs_effects=short,
        asset_use=use,
        value_sensitivity=sensitivity,
        dataset=dataset,
        config=settings,
        summary=summarise(dataset, scale) | {"verified_only": bool((filters or {}).get("verified_only", False))},
        provenance=build_provenance(dataset, settings, filters),
    )


def swemwbs_sensitivity(dataset: Dataset, settings: AnalysisConfig) -> pd.DataFrame:
    """The asset models again with SWEMWBS as the outcome, each with its bridged central value."""
    frame, assets = dataset.responses, dataset.assets
    short = asset_effects(frame, assets, settings, outcome="swemwbs")
    value = bridged_values(short, assets, frame, dataset.campaigns, settings, ls_per_point=settings.ls_per_swemwbs)
    return short.assign(value_central=value["value_central"].to_numpy(), users_valued=value["users_valued"].to_numpy())


def empty_sensitivity() -> pd.DataFrame:
    """No SWEMWBS sensitivity table when SWEMWBS is already the outcome: it would repeat the main models."""
    return pd.DataFrame(columns=[*ASSET_EFFECT_COLUMNS, "value_central", "users_valued"])


def summarise(dataset: Dataset, scale: WellbeingScale = WEMWBS) -> dict[str, Any]:
    """Counts the report's opening and methods sections quote (sample, dates, modes, missing data).

    ``scale`` is the modelled scale's key; ``scale_scored`` the responses it scores and
    ``short_form_only`` those with SWEMWBS but not WEMWBS (left out of a WEMWBS run's main models).
    """
    frame = dataset.responses
    submitted = pd.to_datetime(frame["submitted_at"], utc=True)
    return {
        "responses": len(frame),
        "communities": sorted(frame["community"].astype(str).unique()),
        "campaigns": sorted(frame["campaign"].astype(str).unique()),
        "first_submitted": None if submitted.isna().all() else submitted.min().strftime("%d %B %Y"),
        "last_submitted": None if submitted.isna().all() else submitted.max().strftime("%d %B %Y"),
        "modes": {str(k): int(v) for k, v in frame["mode"].value_counts().items()},
        "unverified": int((frame["verified"] == 0).sum()),
        "wemwbs_scored": int(frame["wemwbs"].notna().sum()),
        "scale": scale.key,
        "scale_scored": int(frame[scale.key].notna().sum()),
        "short_form_only": int((frame["swemwbs"].notna() & frame["wemwbs"].isna()).sum()),
        "demographics_missing": {column: int(frame[column].isna().sum()) for column in DEMOGRAPHIC_COLUMNS},
        "complete_covariates": int(frame[list(DEMOGRAPHIC_COLUMNS)].notna().all(axis=1).sum()),
        "assets": len(dataset.assets),
    }

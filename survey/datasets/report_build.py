"""The workshop report straight from the database: read the dataset, run the analysis, write the files."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from analysis.adjustments import override_adjustments
from analysis.config import AnalysisConfig
from analysis.deep_dive_quotes import with_deep_dive_quotes
from analysis.pipeline import AnalysisResult, run_dataset
from analysis.workshop_ratings import with_workshop_ratings
from survey.datasets.deep_dive_report import deep_dive_frames
from survey.datasets.reader import build_dataset
from survey.datasets.workshop_ratings import ratings_frame

Progress = Callable[[str, float], None]


def report_from_database(
    engine_or_url: Engine | str,
    out_dir: str | Path,
    *,
    campaigns: Sequence[str] | None = None,
    communities: Sequence[str] | None = None,
    progress: Progress | None = None,
    verified_only: bool = True,
    config: AnalysisConfig | None = None,
    adjustments: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Build the dataset from the database, run the analysis and write the tables and ``report.html``.

    For ``flask report`` and the web app's background job. Verified responses only by default
    (responses awaiting double entry are left out, as for every analysis and export). `progress`
    is an optional ``callable(step_name, fraction)``: reading the database is 0-0.2, the models
    0.2-0.8, writing the report 0.8-1.0. Raises ValueError (DatasetError) for unknown slugs, a
    practice campaign, or no complete responses. Returns the paths written, by table name.
    The stored SROI adjustments are used; `adjustments` (checked, e.g. from `read_adjustments`)
    replaces them for the assets it lists. Impact workshop ratings of the communities analysed
    (workshops of the chosen campaigns, or without one) add ``workshop_ratings.csv`` and the
    report's workshop section. Deep-dive interviews coded to the assets of those communities add
    ``deep_dive_counts.csv`` and the report's "What people said" section (quotes with consent only).
    """
    report = progress or (lambda _step, _fraction: None)
    result = analyse_database(
        engine_or_url,
        campaigns=campaigns,
        communities=communities,
        progress=lambda step, fraction: report(step, 0.8 * fraction),
        verified_only=verified_only,
        config=config,
        adjustments=adjustments,
    )
    # The rooms' ratings of the communities analysed sit beside the evidence (a section only when there are some).
    rated = ratings_frame(engine_or_url, result.summary["communities"], campaigns)
    result = with_workshop_ratings(result, rated)
    said = deep_dive_frames(engine_or_url, result.summary["communities"], list(result.dataset.assets["slug"]))
    result = with_deep_dive_quotes(result, *said)
    report("writing the report", 0.8)
    paths = result.write(out_dir)
    report("finished", 1.0)
    return paths


def analyse_database(
    engine_or_url: Engine | str,
    *,
    campaigns: Sequence[str] | None = None,
    communities: Sequence[str] | None = None,
    progress: Progress | None = None,
    verified_only: bool = True,
    config: AnalysisConfig | None = None,
    adjustments: pd.DataFrame | None = None,
) -> AnalysisResult:
    """The report's analysis run on the database (`report_from_database` without the files).

    The asset profiles' snapshots use it too, so a profile's numbers are the report's. `progress`
    hears reading the database as 0-0.25 and the models as 0.25-1.0.
    """
    report = progress or (lambda _step, _fraction: None)
    dataset = build_dataset(
        engine_or_url,
        campaigns=campaigns,
        communities=communities,
        verified_only=verified_only,
        progress=lambda step, fraction: report(f"reading the database: {step}", 0.25 * fraction),
    )
    if adjustments is not None:
        merged = override_adjustments(dataset.adjustments, adjustments, dataset.assets["slug"])
        dataset = dataclasses.replace(dataset, adjustments=merged)
    filters = {
        "campaigns": list(campaigns or []),
        "communities": list(communities or []),
        "verified_only": verified_only,
    }
    return run_dataset(
        dataset, config=config, progress=lambda step, fraction: report(step, 0.25 + 0.75 * fraction), filters=filters
    )

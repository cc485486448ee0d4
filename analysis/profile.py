"""Asset profiles for the impact workshop: one JSON-ready record per asset, from one analysis run.

Nothing is computed twice: every figure is read from the tables of an `AnalysisTables` (the
report's own run: ``asset_use``, ``asset_effects``, ``swemwbs_effects``, ``asset_value``,
``descriptives``, ``norm_comparison``), so a profile shows exactly what the report shows. The only
new figures are use by age band and by gender, and those are `analysis.asset_use.asset_use` run on
each group's respondents, with its small-cell rule (counts 1 to threshold - 1 are blanked).

On top of that rule, a breakdown never leaves exactly one group blanked: its counts could be
worked out by subtracting the shown groups from the asset's total (which the profile also shows),
so the smallest other group with respondents is blanked too (secondary suppression).

The result is plain JSON (None for missing numbers) so the app can store it as an analysis
snapshot and show it without running the models again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.asset_use import FREQUENCY_CODES, IMPORTANCE_CODES, asset_use, frequency_labels, importance_labels
from analysis.config import AnalysisConfig
from analysis.dataset import records
from analysis.descriptives import NOT_ANSWERED, group_labels
from analysis.result import AnalysisTables
from analysis.valuation import VALUE_COLUMNS

BREAKDOWNS = ("age_band", "gender")
SUMMARY_MEASURES = ("wemwbs", "swemwbs", "ons_life_satisfaction")
EFFECT_FIELDS = ("n", "n_users", "effect", "se", "ci_low", "ci_high", "p", "p_adj", "warning")
VALUED_FIELDS = ("outcome", "effect", "se", "ci_low", "ci_high", "p", "p_adj", "evidence", "effect_shrunk", "se_shrunk")
# The value table's columns from the users' numbers on (the effect columns come in VALUED_FIELDS).
VALUE_FIELDS = VALUE_COLUMNS[VALUE_COLUMNS.index("n_users") :]


@dataclass(frozen=True)
class WorkshopRatings:
    """What a workshop's participants said about one asset (filled in by the workshop mode).

    ``social`` and ``economic`` are the counts of ratings 1-5 (index 0 = rating 1); ``comments``
    are the comments a researcher has not hidden, already safe to show (escaped by the templates).
    """

    asset: str
    workshop: str
    participants: int
    social: tuple[int, int, int, int, int]
    economic: tuple[int, int, int, int, int]
    social_median: float | None
    economic_median: float | None
    comments: tuple[str, ...] = ()

    def rows(self) -> list[tuple[int, int, int]]:
        """(rating, participants who gave it for social impact, for economic impact), for 1 to 5."""
        return list(zip(range(1, 6), self.social, self.economic, strict=True))


def plain(value: Any) -> Any:
    """A cell as JSON: None for NaN / NA, Python numbers for NumPy ones, text otherwise unchanged."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value if isinstance(value, (str, list, dict)) else str(value)


def _row(table: pd.DataFrame, slug: str) -> dict[str, Any]:
    rows = table[table["asset"].astype(str) == slug]
    return records(rows)[0] if len(rows) else {}


def profile_snapshot(result: AnalysisTables, nominations: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """Everything the profile pages and the pack show, for every asset of one analysis run.

    Parameters
    ----------
    result
        The report's analysis run (`analysis.pipeline.run_dataset`).
    nominations
        Residents' free-text nominations naming each asset (slug -> texts), found by the app;
        stored as given.

    Returns
    -------
    dict
        ``summary`` (`community_summary`), ``threshold`` (the disclosure threshold),
        ``price_year`` and ``assets``: slug -> `asset_profile`.
    """
    named = nominations or {}
    return {
        "summary": community_summary(result),
        "threshold": int(result.config.disclosure_threshold),
        "price_year": int(result.config.price_year),
        "assets": {
            str(slug): asset_profile(result, str(slug), named.get(str(slug), ()))
            for slug in result.dataset.assets["slug"]
        },
    }


def community_summary(result: AnalysisTables) -> dict[str, Any]:
    """The cover of a pack: how many responded and their wellbeing (overall rows of the report's tables)."""
    described = result.descriptives[result.descriptives["group_type"] == "overall"]
    measures = {
        str(row["measure"]): {key: plain(row[key]) for key in ("n", "mean", "sd", "ci_low", "ci_high")}
        for row in records(described[described["measure"].isin(SUMMARY_MEASURES)])
    }
    norms = result.norm_comparison[result.norm_comparison["group_type"] == "overall"]
    norm = {key: plain(value) for key, value in records(norms)[0].items()} if len(norms) else {}
    return {
        "responses": int(result.summary["responses"]),
        "scale": result.scale.key,
        "communities": list(result.summary["communities"]),
        "campaigns": list(result.summary["campaigns"]),
        "first_submitted": result.summary.get("first_submitted"),
        "last_submitted": result.summary.get("last_submitted"),
        "measures": measures,
        "norm": {
            key: norm.get(key)
            for key in ("measure", "n", "mean", "norm", "difference", "ci_low", "ci_high", "norm_source")
        },
    }


def asset_profile(result: AnalysisTables, slug: str, nominations: Sequence[str] = ()) -> dict[str, Any]:
    """One asset's profile: identity, use, importance, wellbeing association, value, nominations."""
    asset = records(result.dataset.assets[result.dataset.assets["slug"].astype(str) == slug])[0]
    effect = _row(result.asset_effects, slug)
    short = _row(result.swemwbs_effects, slug)
    value = _row(result.asset_value, slug)
    profile = {
        "asset": slug,
        "name": str(asset["name"]),
        "kind": str(asset["kind"]),
        "community": str(asset["community"]),
        "community_name": plain(asset.get("community_name")) or str(asset["community"]),
        "use": _use(_row(result.asset_use, slug)),
        "use_by": {
            group_type: use_by_group(result.dataset.responses, result.dataset.assets, slug, result.config, group_type)
            for group_type in BREAKDOWNS
        },
        "scale": result.scale.key,
        "wellbeing": {key: plain(effect.get(key)) for key in EFFECT_FIELDS},
        "swemwbs_effect": plain(short.get("effect")),
        "valued": {key: plain(value.get(key)) for key in VALUED_FIELDS},
        "value": {key: plain(value.get(key)) for key in VALUE_FIELDS},
        "nominations": [str(text) for text in nominations],
    }
    # Imported here: the sentences use the report's wording, whose package loads matplotlib, and the web
    # app imports this module (for WorkshopRatings) without ever building a profile.
    from analysis.profile_text import profile_sentences

    profile["sentences"] = profile_sentences(profile, int(result.config.disclosure_threshold), result.config)
    return profile


def _use(row: Mapping[str, Any]) -> dict[str, Any]:
    """The asset's row of ``asset_use``, grouped: totals, frequency distribution, importance by group."""
    labels, importance = frequency_labels(), importance_labels()
    return {
        "asked": plain(row.get("asked")),
        "users": plain(row.get("users")),
        "user_share": plain(row.get("user_share")),
        "suppressed": bool(row.get("suppressed", 0)),
        "frequency": [
            {
                "code": code,
                "label": labels[code],
                "count": plain(row.get(f"frequency_{code}_count")),
                "share": plain(row.get(f"frequency_{code}_share")),
            }
            for code in FREQUENCY_CODES
        ],
        "importance": {
            group: {
                "n": plain(row.get(f"importance_{group}_n")),
                "mean": plain(row.get(f"importance_{group}_mean")),
                "distribution": [
                    {
                        "code": code,
                        "label": importance[code],
                        "count": plain(row.get(f"importance_{group}_{code}_count")),
                        "share": plain(row.get(f"importance_{group}_{code}_share")),
                    }
                    for code in IMPORTANCE_CODES
                ],
            }
            for group in ("users", "non_users")
        },
    }


def use_by_group(
    responses: pd.DataFrame, assets: pd.DataFrame, slug: str, config: AnalysisConfig, group_type: str
) -> list[dict[str, Any]]:
    """Use of one asset by each group of `group_type` (``age_band``, ``gender``), small cells blanked.

    Each group's figures are `asset_use` on that group's respondents; then, when exactly one group
    with respondents is blanked, the smallest shown group is blanked too (see the module docstring).
    """
    one = assets[assets["slug"].astype(str) == slug]
    groups = group_labels(responses, group_type)
    rows = []
    for label in groups.cat.categories:
        chosen = responses[(groups == label).to_numpy()]
        use = records(asset_use(chosen, one, config))[0]
        answered = int(chosen[f"asset_{slug}"].notna().sum()) if f"asset_{slug}" in chosen else 0
        if answered == 0 and label == NOT_ANSWERED:
            continue  # no "not answered" row when everyone answered
        rows.append(
            {
                "group": str(label),
                "asked": plain(use["asked"]),
                "users": plain(use["users"]),
                "user_share": plain(use["user_share"]),
                "_answered": answered,
            }
        )
    for row in rows:
        row["suppressed"] = row["_answered"] > 0 and row["users"] is None
    blanked = [row for row in rows if row["suppressed"]]
    if len(blanked) == 1:
        shown = [row for row in rows if row not in blanked and row["_answered"] > 0]
        if shown:
            smallest = min(shown, key=lambda row: row["_answered"])
            smallest.update(asked=None, users=None, user_share=None, suppressed=True)
    return [{key: value for key, value in row.items() if key != "_answered"} for row in rows]

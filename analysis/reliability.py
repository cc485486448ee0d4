"""Internal consistency: Cronbach's alpha with Feldt's confidence interval, item-total correlations."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.columns import swemwbs_items, wemwbs_items
from analysis.config import AnalysisConfig

RELIABILITY_COLUMNS = ("scale", "group", "n", "alpha", "ci_low", "ci_high")


@dataclass(frozen=True, slots=True)
class Alpha:
    """Cronbach's alpha of `k` items on `n` complete cases, with a confidence interval."""

    n: int
    k: int
    alpha: float
    ci_low: float
    ci_high: float


def cronbach_alpha(items: pd.DataFrame, *, confidence: float = 0.95) -> Alpha:
    """Cronbach's alpha on complete cases (listwise deletion), with Feldt's F-based interval.

    Parameters
    ----------
    items
        One column per item, one row per respondent; NaN/NA marks a missing answer.
    confidence
        Level of the interval (default 0.95).

    Returns
    -------
    Alpha
        ``alpha = k / (k - 1) * (1 - sum(item variances) / variance(total))`` with sample
        variances (ddof = 1). The interval is Feldt's: ``1 - (1 - alpha) * F`` at the
        ``(1 +/- confidence) / 2`` quantiles of F(n - 1, (n - 1)(k - 1)). NaN when fewer than
        2 complete cases or 2 items, or the total has no variance.

    References
    ----------
    .. [1] Cronbach LJ. Coefficient alpha and the internal structure of tests.
       Psychometrika 1951;16:297-334.
    .. [2] Feldt LS. The approximate sampling distribution of Kuder-Richardson reliability
       coefficient twenty. Psychometrika 1965;30:357-370.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    values = items.astype("float64").to_numpy()
    values = values[~np.isnan(values).any(axis=1)]
    n, k = values.shape
    if n < 2 or k < 2:
        return Alpha(n, k, math.nan, math.nan, math.nan)
    total_variance = values.sum(axis=1).var(ddof=1)
    if total_variance <= 0:
        return Alpha(n, k, math.nan, math.nan, math.nan)
    alpha = k / (k - 1) * (1 - values.var(axis=0, ddof=1).sum() / total_variance)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - confidence) / 2
    low = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
    high = 1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)
    return Alpha(n, k, float(alpha), float(low), float(high))


def item_total_correlations(items: pd.DataFrame) -> pd.Series:
    """Corrected item-total correlations: each item against the sum of the other items.

    Complete cases only. An item (or rest-score) with no variance gets NaN.
    """
    values = items.astype("float64").to_numpy()
    values = values[~np.isnan(values).any(axis=1)]
    total = values.sum(axis=1)
    result = {}
    for position, column in enumerate(items.columns):
        item = values[:, position]
        rest = total - item
        if len(item) < 3 or item.std() == 0 or rest.std() == 0:
            result[column] = math.nan
        else:
            result[column] = float(np.corrcoef(item, rest)[0, 1])
    return pd.Series(result, name="r", dtype="float64")


def reliability(responses: pd.DataFrame, config: AnalysisConfig) -> pd.DataFrame:
    """``reliability.csv``: alpha of WEMWBS and SWEMWBS, overall and per community.

    Blank alpha and interval where the number of complete cases is under the disclosure
    threshold (the estimate would be unreliable and the group small).
    """
    rows = []
    scales = {"wemwbs": list(wemwbs_items()), "swemwbs": list(swemwbs_items())}
    groups: list[tuple[str, pd.DataFrame]] = [("overall", responses)]
    groups += [(str(name), frame) for name, frame in responses.groupby("community", sort=True)]
    for scale, columns in scales.items():
        for group, frame in groups:
            result = cronbach_alpha(frame[columns], confidence=config.confidence)
            small = result.n < max(config.disclosure_threshold, 2)
            rows.append(
                {
                    "scale": scale,
                    "group": group,
                    "n": result.n,
                    "alpha": math.nan if small else result.alpha,
                    "ci_low": math.nan if small else result.ci_low,
                    "ci_high": math.nan if small else result.ci_high,
                }
            )
    return pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))


def item_total_table(responses: pd.DataFrame) -> pd.DataFrame:
    """Corrected item-total correlations of WEMWBS and SWEMWBS items, all respondents."""
    frames = []
    for scale, columns in (("wemwbs", list(wemwbs_items())), ("swemwbs", list(swemwbs_items()))):
        r = item_total_correlations(responses[columns])
        frames.append(pd.DataFrame({"scale": scale, "item": r.index, "r": r.to_numpy()}))
    return pd.concat(frames, ignore_index=True)

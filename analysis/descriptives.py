"""Descriptive statistics of wellbeing by group, WEMWBS bands and the difference from the England norm."""

from __future__ import annotations

import numpy as np
import pandas as pd

import instruments
from analysis.columns import MODES, ons4_items, sixways_scores
from analysis.config import WEMWBS_BANDS, AnalysisConfig
from analysis.scales import WEMWBS, WellbeingScale

DESCRIPTIVE_COLUMNS = ("group_type", "group", "measure", "n", "mean", "sd", "ci_low", "ci_high", "suppressed")
GROUP_TYPES = ("overall", "community", "mode", "age_band", "gender", "employment")
NOT_ANSWERED = "not answered"


# What each measure is, for tables and reports. The ONS questions are four separate measures
# (ONS reports them separately, with no total); anxiety runs the other way: higher is worse.
MEASURE_LABELS = {
    "wemwbs": "WEMWBS (14-70; higher = better)",
    "swemwbs": "SWEMWBS (metric score, 7-35; higher = better)",
    "ons_life_satisfaction": "Life satisfaction (ONS, 0-10; higher = better)",
    "ons_worthwhile": "Things done in life are worthwhile (ONS, 0-10; higher = better)",
    "ons_happy": "Happiness yesterday (ONS, 0-10; higher = better)",
    "ons_anxious": "Anxiety yesterday (ONS, 0-10; higher = more anxious, i.e. worse)",
    "sixways_connect": "Six ways: connect (1-5)",
    "sixways_be_active": "Six ways: be active (1-5)",
    "sixways_keep_learning": "Six ways: keep learning (1-5)",
    "sixways_take_notice": "Six ways: take notice (1-5)",
    "sixways_give": "Six ways: give (1-5)",
    "sixways_care": "Six ways: care (1-5)",
}


def measures() -> tuple[str, ...]:
    """Measures described: WEMWBS, SWEMWBS (metric score), the four ONS questions, each six-ways dimension."""
    return ("wemwbs", "swemwbs", *ons4_items(), *sixways_scores())


def measure_label(measure: str) -> str:
    """Plain-English label of a measure in `measures()` (its column name if it has none)."""
    return MEASURE_LABELS.get(measure, measure)


def group_labels(responses: pd.DataFrame, group_type: str) -> pd.Series:
    """The group each response falls in, as text: demographic codes become their labels.

    A missing demographic answer is its own group, ``"not answered"``, so the table shows how
    much is missing. Returns a categorical Series whose category order is the display order.
    """
    if group_type == "overall":
        return pd.Series(pd.Categorical(["overall"] * len(responses)), index=responses.index)
    if group_type == "community":
        values = responses["community"].astype(str)
        return pd.Series(pd.Categorical(values, categories=sorted(values.unique())), index=responses.index)
    if group_type == "mode":
        values = responses["mode"].astype(str)
        present = [mode for mode in MODES if mode in set(values)]
        return pd.Series(pd.Categorical(values, categories=present), index=responses.index)
    item = instruments.get("demographics").item(group_type)
    labels = {float(option.code): option.label for option in item.options}
    codes = responses[group_type].astype("float64")
    values = codes.map(labels).where(codes.notna(), NOT_ANSWERED)
    categories = [option.label for option in item.options] + [NOT_ANSWERED]
    return pd.Series(pd.Categorical(values, categories=categories), index=responses.index)


def t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """t-based interval for a mean: mean +/- t(n - 1) * sd / sqrt(n); NaN where n < 2."""
    # Imported here: this module is imported by every web process (asset profiles), where
    # scipy.stats' half a second is only spent when figures are computed.
    from scipy import stats

    n = np.asarray(n, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = stats.t.ppf(0.5 + confidence / 2, np.where(n >= 2, n - 1, np.nan))
        half = quantile * np.asarray(sd, dtype="float64") / np.sqrt(n)
    return np.asarray(mean) - half, np.asarray(mean) + half


def descriptives(responses: pd.DataFrame, config: AnalysisConfig) -> pd.DataFrame:
    """``descriptives.csv``: n, mean, sd and t-based CI of each measure per group.

    Parameters
    ----------
    responses
        A prepared responses table (see `analysis.dataset.prepare_responses`).
    config
        Uses ``disclosure_threshold`` (groups with n below it get ``suppressed`` = 1 and blank
        mean, sd and interval; n is still shown) and ``alpha``.

    Returns
    -------
    pandas.DataFrame
        Columns ``group_type, group, measure, n, mean, sd, ci_low, ci_high, suppressed``; n counts
        the respondents in the group with that measure scored (complete cases). A group with
        no scored respondent is listed with n = 0.
    """
    frames = []
    chosen = list(measures())
    values = responses[chosen].astype("float64")
    for group_type in GROUP_TYPES:
        groups = group_labels(responses, group_type)
        grouped = values.groupby(groups, observed=False)
        n = grouped.count().stack(future_stack=True)
        mean = grouped.mean().stack(future_stack=True)
        sd = grouped.std(ddof=1).stack(future_stack=True)
        frame = pd.DataFrame({"n": n, "mean": mean, "sd": sd}).reset_index()
        frame.columns = ["group", "measure", "n", "mean", "sd"]
        frame.insert(0, "group_type", group_type)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table["group"] = table["group"].astype(str)
    table["n"] = table["n"].astype("int64")
    low, high = t_interval(table["mean"].to_numpy(), table["sd"].to_numpy(), table["n"].to_numpy(), config.confidence)
    table["ci_low"], table["ci_high"] = low, high
    suppressed = table["n"] < config.disclosure_threshold
    table.loc[suppressed, ["mean", "sd", "ci_low", "ci_high"]] = np.nan
    table["suppressed"] = suppressed.astype("int64")
    # Already in display order: group types as listed, groups in category order, measures as listed.
    return table.loc[:, list(DESCRIPTIVE_COLUMNS)]


BAND_COLUMNS = ("group_type", "group", "band", "n", "count", "share", "suppressed")


def wemwbs_bands(responses: pd.DataFrame, config: AnalysisConfig, scale: WellbeingScale = WEMWBS) -> pd.DataFrame:
    """Share of respondents in the commonly used WEMWBS bands, overall and per community.

    The bands (<= 40, 41-44, 45-59, >= 60) are conventions from the WEMWBS User Guide as cited
    by CORC, not diagnoses: WEMWBS is not a screening tool. Shares are blank (``suppressed`` = 1)
    for groups under the disclosure threshold. A run on SWEMWBS gets no rows: SWEMWBS has no such
    conventions, and the percentile bands the reference suggests need a population distribution
    the project does not hold (shared/reference/wemwbs.md).
    """
    if scale is not WEMWBS:
        return pd.DataFrame(columns=list(BAND_COLUMNS))
    rows = []
    groups = [("overall", "overall", responses)]
    groups += [("community", str(name), frame) for name, frame in responses.groupby("community", sort=True)]
    for group_type, group, frame in groups:
        scores = frame["wemwbs"].astype("float64").dropna().to_numpy()
        n = len(scores)
        suppressed = n < max(config.disclosure_threshold, 1)
        lower = -np.inf
        for label, upper in WEMWBS_BANDS:
            count = int(((scores > lower) & (scores <= upper)).sum())
            rows.append(
                {
                    "group_type": group_type,
                    "group": group,
                    "band": label,
                    "n": n,
                    "count": np.nan if suppressed else count,
                    "share": np.nan if suppressed else count / n,
                    "suppressed": int(suppressed),
                }
            )
            lower = upper
    return pd.DataFrame(rows)


NORM_COLUMNS = (
    "measure",
    "group_type",
    "group",
    "n",
    "mean",
    "norm",
    "difference",
    "ci_low",
    "ci_high",
    "suppressed",
    "norm_source",
)


def expected_norm(responses: pd.DataFrame, norms: tuple[float, float, str]) -> pd.Series:
    """Each respondent's reference mean: the norm for men (`norms[0]`), for women, or their mean otherwise."""
    gender = instruments.get("demographics").item("gender")
    code = {option.label: float(option.code) for option in gender.options}
    values = responses["gender"].astype("float64")
    men, women, _source = norms
    expected = np.where(values == code["Man"], men, np.where(values == code["Woman"], women, (men + women) / 2))
    return pd.Series(expected, index=responses.index, name="norm")


def norm_comparison(responses: pd.DataFrame, config: AnalysisConfig, scale: WellbeingScale = WEMWBS) -> pd.DataFrame:
    """Mean score on `scale` minus the England norm for the same gender mix, with a t-based interval.

    Each respondent is compared with the norm for their gender (WEMWBS: HSE 2016 by default, men
    50.1, women 49.6; SWEMWBS: HSE 2010-2013, men 23.7, women 23.2; the mean of the two when gender
    is another or not given). The difference is the mean of these individual differences, so a
    group's gender mix is allowed for; the norm is treated as known (the HSE sample is large).
    Interviewer-administered responses read higher, and the HSE is self-completed: read the
    ``mode`` rows with that in mind. ``measure`` names the scale. No rows for life satisfaction:
    the project's references hold no England norm for it.
    """
    norms = scale.norms(config)
    if norms is None:
        return pd.DataFrame(columns=list(NORM_COLUMNS))
    score = responses[scale.key].astype("float64")
    expected = expected_norm(responses, norms)
    table = pd.DataFrame({"difference": score - expected, "norm": expected, "score": score})
    table = table[table["difference"].notna()]
    frames = []
    for group_type in ("overall", "community", "gender", "mode"):
        groups = group_labels(responses.loc[table.index], group_type)
        grouped = table.groupby(groups, observed=False)
        frame = pd.DataFrame(
            {
                "n": grouped["difference"].count(),
                "mean": grouped["score"].mean(),
                "norm": grouped["norm"].mean(),
                "difference": grouped["difference"].mean(),
                "sd": grouped["difference"].std(ddof=1),
            }
        ).reset_index(names="group")
        frame.insert(0, "group_type", group_type)
        frames.append(frame)
    result = pd.concat(frames, ignore_index=True)
    result["group"] = result["group"].astype(str)
    low, high = t_interval(
        result["difference"].to_numpy(), result["sd"].to_numpy(), result["n"].to_numpy(), config.confidence
    )
    result["ci_low"], result["ci_high"] = low, high
    suppressed = result["n"] < config.disclosure_threshold
    result.loc[suppressed, ["mean", "norm", "difference", "sd", "ci_low", "ci_high"]] = np.nan
    result["suppressed"] = suppressed.astype("int64")
    result["norm_source"] = norms[2]
    result["measure"] = scale.key
    return result.loc[:, list(NORM_COLUMNS)]

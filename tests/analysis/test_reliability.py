"""Cronbach's alpha: our own implementation against pingouin's and R psych's published values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis import AnalysisConfig, cronbach_alpha
from analysis.reliability import item_total_correlations, reliability


def _wide_cronbach_alpha_dataset() -> pd.DataFrame:
    long = pingouin.read_dataset("cronbach_alpha")
    return long.pivot(index="Subj", columns="Items", values="Scores")


def test_alpha_matches_pingouin_and_its_documented_value() -> None:
    wide = _wide_cronbach_alpha_dataset()
    ours = cronbach_alpha(wide)
    theirs, _ = pingouin.cronbach_alpha(data=wide)
    assert ours.alpha == pytest.approx(theirs, abs=1e-6)
    assert ours.alpha == pytest.approx(0.5917188, abs=1e-6)  # pingouin documentation


def test_alpha_listwise_matches_pingouin_and_r_psych() -> None:
    wide = pingouin.read_dataset("cronbach_wide_missing")
    ours = cronbach_alpha(wide)
    theirs, _ = pingouin.cronbach_alpha(data=wide, nan_policy="listwise")
    assert ours.alpha == pytest.approx(theirs, abs=1e-6)
    assert ours.alpha == pytest.approx(0.8016949, abs=1e-6)  # listwise value (statistics reference)
    assert ours.n == len(wide.dropna())


def test_feldt_interval_by_hand() -> None:
    wide = _wide_cronbach_alpha_dataset()
    result = cronbach_alpha(wide)
    n, k = wide.shape
    # Feldt (1965): (1 - alpha) / (1 - rho) ~ F(n - 1, (n - 1)(k - 1))
    f_upper = stats.f.ppf(0.975, n - 1, (n - 1) * (k - 1))
    f_lower = stats.f.ppf(0.025, n - 1, (n - 1) * (k - 1))
    assert result.ci_low == pytest.approx(1 - (1 - result.alpha) * f_upper, abs=1e-12)
    assert result.ci_high == pytest.approx(1 - (1 - result.alpha) * f_lower, abs=1e-12)
    assert result.ci_low < result.alpha < result.ci_high


def test_item_total_correlation_by_hand() -> None:
    wide = _wide_cronbach_alpha_dataset()
    r = item_total_correlations(wide)
    first = wide.columns[0]
    rest = wide.drop(columns=[first]).sum(axis=1)
    assert r[first] == pytest.approx(np.corrcoef(wide[first], rest)[0, 1], abs=1e-12)


def test_degenerate_inputs_give_nan_not_errors() -> None:
    assert math.isnan(cronbach_alpha(pd.DataFrame({"a": [1.0], "b": [2.0]})).alpha)
    assert math.isnan(cronbach_alpha(pd.DataFrame({"a": [3.0, 3.0], "b": [3.0, 3.0]})).alpha)


def test_reliability_table_blanks_small_groups(synthetic_dataset) -> None:
    responses = synthetic_dataset.responses
    small = pd.concat(
        [responses, responses.head(5).assign(community="tiny", response_id=lambda d: d.response_id + "x")]
    )
    table = reliability(small.reset_index(drop=True), AnalysisConfig())
    assert list(table.columns) == ["scale", "group", "n", "alpha", "ci_low", "ci_high"]
    tiny = table[table["group"] == "tiny"]
    assert (tiny["n"] == 5).all() and tiny["alpha"].isna().all()
    assert table.loc[table["group"] == "overall", "alpha"].notna().all()


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    shifts=st.lists(st.integers(-3, 3), min_size=4, max_size=4),
)
def test_alpha_ignores_item_order_and_constant_shifts(seed: int, shifts: list[int]) -> None:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(40, 1))
    data = pd.DataFrame(common + rng.normal(size=(40, 4)), columns=list("abcd"))
    base = cronbach_alpha(data).alpha
    moved = data + np.asarray(shifts, dtype=float)
    assert cronbach_alpha(moved[list("dbca")]).alpha == pytest.approx(base, abs=1e-9)

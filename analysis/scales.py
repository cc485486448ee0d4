"""The mental wellbeing scale a run models: WEMWBS (14 statements) or, when a survey asked only the short form, SWEMWBS.

Every respondent who answered the full WEMWBS also has a SWEMWBS score (its 7 statements are
among the 14; shared/reference/wemwbs.md), so the choice is by what the data holds: WEMWBS when
any complete response has it, SWEMWBS otherwise. A dataset that mixes a WEMWBS campaign with a
SWEMWBS-only one is modelled on WEMWBS (the longer scale measures more precisely), and the
SWEMWBS sensitivity models, which every response with either form enters, are the ones that
include the short-form campaign; the report says how many responses that leaves out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.cells import DatasetError
from analysis.config import AnalysisConfig


@dataclass(frozen=True, slots=True)
class WellbeingScale:
    """One scale's names, range, published yardsticks and bridge to life satisfaction."""

    key: str  # its score column in the dataset, and its key in instruments/
    name: str
    full_name: str
    statements: int
    lowest: int
    highest: int
    score_words: str  # what the score is, for labels: "14-70" or "metric score, 7-35"
    meaningful_change: str  # the published yardstick for one person, with its source

    @property
    def bridged(self) -> str:
        """The ``outcome`` of an effect valued through this scale's bridge, e.g. ``wemwbs_bridged``."""
        return f"{self.key}_bridged"

    @property
    def range_label(self) -> str:
        """E.g. ``WEMWBS (14-70)``."""
        return f"{self.name} ({self.score_words})"

    def ls_per_point(self, config: AnalysisConfig) -> float:
        """Life-satisfaction points per point of this scale (WellWorth, citing Mukuria et al. 2016)."""
        return config.ls_per_wemwbs if self.key == "wemwbs" else config.ls_per_swemwbs

    def norms(self, config: AnalysisConfig) -> tuple[float, float, str]:
        """The England means of men and women on this scale and their source."""
        if self.key == "wemwbs":
            return config.norm_men, config.norm_women, config.norm_source
        return config.swemwbs_norm_men, config.swemwbs_norm_women, config.swemwbs_norm_source


WEMWBS = WellbeingScale(
    key="wemwbs",
    name="WEMWBS",
    full_name="the Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)",
    statements=14,
    lowest=14,
    highest=70,
    score_words="14-70",
    meaningful_change=(
        "a change of about 3 WEMWBS points is commonly taken as meaningful for one person "
        "(Maheswaran et al. 2012; University of Warwick)"
    ),
)
SWEMWBS = WellbeingScale(
    key="swemwbs",
    name="SWEMWBS",
    full_name="the Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)",
    statements=7,
    lowest=7,
    highest=35,
    score_words="metric score, 7-35",
    meaningful_change=(
        "a change of 1 to 3 SWEMWBS points is taken as meaningful for one person "
        "(Shah et al. 2018, Health and Quality of Life Outcomes 16:239; standard error of measurement 1.03)"
    ),
)
SCALES = {scale.key: scale for scale in (WEMWBS, SWEMWBS)}


def outcome_scale(responses: pd.DataFrame) -> WellbeingScale:
    """WEMWBS when any response has its score, else SWEMWBS when any has that; DatasetError when neither."""
    if int(responses["wemwbs"].notna().sum()):
        return WEMWBS
    if "swemwbs" in responses and int(responses["swemwbs"].notna().sum()):
        return SWEMWBS
    raise DatasetError(
        "no response has a complete WEMWBS (14 statements) or SWEMWBS (7 statements): there is no wellbeing "
        "outcome to analyse"
    )


def scale_of(key: str) -> WellbeingScale:
    """The scale named by a run's result (``summary["scale"]``); WEMWBS for results made before the choice."""
    return SCALES.get(key, WEMWBS)


def wellbeing_effect(profile: Mapping[str, Any]) -> tuple[WellbeingScale, dict[str, Any]]:
    """An asset profile's wellbeing scale and its effect on it (``scale``, ``wellbeing``).

    Profiles stored before a run could model SWEMWBS hold the WEMWBS effect as ``wemwbs``.
    """
    if "wellbeing" in profile:
        return scale_of(str(profile.get("scale", "wemwbs"))), dict(profile["wellbeing"])
    return WEMWBS, dict(profile["wemwbs"])

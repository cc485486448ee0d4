"""The wellbeing outcome a run models: WEMWBS, SWEMWBS when a survey asked only the short form, or life satisfaction.

Every respondent who answered the full WEMWBS also has a SWEMWBS score (its 7 statements are
among the 14; shared/reference/wemwbs.md), so the choice is by what the data holds: WEMWBS when
enough complete responses have it to fit one asset model, SWEMWBS otherwise (a stray full form
among short ones is then in the SWEMWBS models, scored on its 7 statements). A dataset that
mixes a WEMWBS campaign with a SWEMWBS-only one is modelled on WEMWBS (the longer scale
measures more precisely), and the SWEMWBS sensitivity models, which every response with either
form enters, are the ones that include the short-form campaign; the report says how many
responses that leaves out. A survey that asked neither but asked the ONS life-satisfaction
question is modelled on that question alone: its effects are in WELLBY units already
(valuation.md prefers it), with no England norm, bands or internal consistency to report (no
published norm is in the project's references, and one question has no internal consistency).
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

    @property
    def title(self) -> str:
        """The name at the start of a label: ``WEMWBS``, ``Life satisfaction``."""
        return self.name[:1].upper() + self.name[1:]

    @property
    def is_life_satisfaction(self) -> bool:
        """True for the ONS question itself: valued directly, never bridged."""
        return self.key == LIFE_SATISFACTION_KEY

    def ls_per_point(self, config: AnalysisConfig) -> float:
        """Life-satisfaction points per point of this scale (WellWorth, citing Mukuria et al. 2016)."""
        return {"wemwbs": config.ls_per_wemwbs, "swemwbs": config.ls_per_swemwbs}.get(self.key, 1.0)

    def norms(self, config: AnalysisConfig) -> tuple[float, float, str] | None:
        """The England means of men and women on this scale and their source (None: no norm is used)."""
        if self.key == "wemwbs":
            return config.norm_men, config.norm_women, config.norm_source
        if self.key == "swemwbs":
            return config.swemwbs_norm_men, config.swemwbs_norm_women, config.swemwbs_norm_source
        return None


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
LIFE_SATISFACTION_KEY = "ons_life_satisfaction"
LIFE_SATISFACTION = WellbeingScale(
    key=LIFE_SATISFACTION_KEY,
    name="life satisfaction",
    full_name="the ONS life-satisfaction question",
    statements=1,
    lowest=0,
    highest=10,
    score_words="ONS, 0-10",
    meaningful_change="",
)
SCALES = {scale.key: scale for scale in (WEMWBS, SWEMWBS, LIFE_SATISFACTION)}


def outcome_scale(responses: pd.DataFrame, minimum: int = 1) -> WellbeingScale:
    """WEMWBS, else SWEMWBS, else life satisfaction: the first that at least `minimum` responses have.

    When none has `minimum`, the first that any response has; DatasetError when none has any. The
    pipeline asks for enough to fit one asset model (``2 x min_group``): one full WEMWBS imported into a
    SWEMWBS survey of 900 turned every model to WEMWBS and left all nine assets unestimated (numbers7 audit).
    """
    present = [
        (scale, int(responses[scale.key].notna().sum()))
        for scale in (WEMWBS, SWEMWBS, LIFE_SATISFACTION)
        if scale.key in responses
    ]
    for scale, count in present:
        if count >= minimum:
            return scale
    for scale, count in present:
        if count:
            return scale
    raise DatasetError(
        "no response has a complete WEMWBS (14 statements) or SWEMWBS (7 statements), or an answer to the ONS "
        "life-satisfaction question: there is no wellbeing outcome to analyse"
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

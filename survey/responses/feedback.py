"""A plain-language note about a resident's own wellbeing score (never a diagnosis)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ScoreFeedback:
    scale: str
    score: str
    lowest: int
    highest: int
    comparison: str
    note: str


# Health Survey for England 2016 mean WEMWBS: men 50.1, women 49.6
# (../shared/reference/wemwbs.md, "Norms and interpretation").
_WEMWBS_COMPARISON = (
    "In the Health Survey for England 2016, the average score for adults was about 50 (50.1 for men, 49.6 for women)."
)
# Ng Fat et al. 2017 (HSE 2010-2013): mean SWEMWBS 23.7 men, 23.2 women.
_SWEMWBS_COMPARISON = (
    "In the Health Survey for England 2010-2013, the average score for adults was about 23.5 "
    "(23.7 for men, 23.2 for women)."
)


def _wemwbs_note(score: float) -> str:
    # The bands (<=40, 41-44, 45-59, >=60) are conventions from the WEMWBS user guide, not cut-offs
    # (Warwick: WEMWBS is not a screening tool), so the wording stays descriptive.
    if score <= 44:
        return (
            "Your score is lower than most people's. Many things affect how we feel for a while, and a "
            "lower score is not a diagnosis. If you have been feeling low, it may help to talk to someone: "
            "the services below are there for you."
        )
    if score >= 60:
        return "Your score is higher than most people's, which suggests you have been feeling well recently."
    return "Your score is in the range where most people's scores fall."


def score_feedback(scores: Mapping[str, float]) -> ScoreFeedback | None:
    """Feedback on WEMWBS if it was scored, else on SWEMWBS, else None."""
    if "wemwbs" in scores:
        value = scores["wemwbs"]
        return ScoreFeedback("WEMWBS", f"{value:.0f}", 14, 70, _WEMWBS_COMPARISON, _wemwbs_note(value))
    if "swemwbs" in scores:
        return ScoreFeedback(
            "SWEMWBS",
            f"{scores['swemwbs']:.2f}",
            7,
            35,
            _SWEMWBS_COMPARISON,
            "Scores are spread widely; a single score describes the last two weeks only and is not a diagnosis.",
        )
    return None

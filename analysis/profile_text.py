"""Plain English under each part of an asset profile, worded by the report's own phrases.

Sentences are built once, with the profile (`analysis.profile.profile_snapshot`), and stored with
it: a page shows them without importing the report (and matplotlib). They are HTML (`Markup`),
with every value escaped as it was put in. Counts under the disclosure threshold are never written.
"""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup

from analysis.config import AnalysisConfig
from analysis.disclosure import suppress_counts
from analysis.report.names import Names
from analysis.report.phrases import count_phrase, level, points_phrase, signed
from analysis.report.value import value_sentence
from analysis.scales import SCALES, wellbeing_effect

GRADE_WORDS = {
    "clear": "clear: it stands out even after allowing for the number of assets tested",
    "suggestive": "suggestive only: it could be chance once every asset tested is allowed for",
    "none": "not found: the survey cannot tell it apart from chance",
    "not_estimated": "not estimated: too few users or non-users for a model",
}


def outcome_words(outcome: str, config: AnalysisConfig) -> str:
    """The valued outcome in words, a bridge with the run's own factor ('' for an unknown outcome).

    The factors are configurable assumptions (valuation.md): the words said 0.13 and 0.26 whatever the run
    used, while the report and the value's warning gave the run's factor (numbers8 audit).
    """
    if outcome == "life_satisfaction":
        return "life satisfaction, asked directly (ONS, 0-10)"
    scale = SCALES.get(outcome.removesuffix("_bridged")) if outcome.endswith("_bridged") else None
    if scale is None:
        return ""
    return (
        f"{scale.name} bridged to life satisfaction ({scale.ls_per_point(config):g} points per {scale.name} point), "
        "a secondary figure"
    )


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def profile_sentences(profile: dict[str, Any], threshold: int, config: AnalysisConfig | None = None) -> dict[str, str]:
    """``use``, ``importance``, ``wellbeing`` and ``value`` sentences of one profile (the nominations are
    counted where they are shown); `config` is the run's (its confidence level and bridge factors)."""
    settings = AnalysisConfig() if config is None else config
    names = Names(
        communities={profile["community"]: profile["community_name"]},
        assets={profile["asset"]: profile["name"]},
        asset_community={profile["asset"]: profile["community"]},
    )
    return {
        "use": str(_use(profile, threshold)),
        "importance": str(_importance(profile)),
        "wellbeing": str(_wellbeing(profile, names, threshold, settings)),
        "value": str(_value(profile, names, threshold, level(settings.confidence))),
    }


def _use(profile: dict[str, Any], threshold: int) -> Markup:
    use = profile["use"]
    if use["asked"] is None:
        return Markup("Too few people were asked about {} to report how many use it.").format(profile["name"])
    if use["user_share"] is None:
        return Markup(
            "{} of the {:,} people asked use {}; the exact number is not shown, because users or non-users are "
            "fewer than {}."
        ).format("Some" if use["asked"] else "None", use["asked"], profile["name"], threshold)
    sentence = Markup("{} of {:,} people asked use <strong>{}</strong> ({:.0%}).").format(
        count_phrase(use["users"], threshold, "user").capitalize(), use["asked"], profile["name"], use["user_share"]
    )
    weekly = [row["share"] for row in use["frequency"] if row["code"] >= 3]
    if all(share is not None for share in weekly):
        sentence += Markup(" {:.0%} use it about once a week or more.").format(sum(weekly))
    return sentence


def _importance(profile: dict[str, Any]) -> Markup:
    users, others = profile["use"]["importance"]["users"], profile["use"]["importance"]["non_users"]
    if users["mean"] is None and others["mean"] is None:
        return Markup("Too few people rated how much it matters to them to report.")

    def rated(group: dict[str, Any], who: str) -> Markup:
        if group["mean"] is None:
            return Markup("too few {} rated it to report").format(who)
        return Markup("{} rate how much it matters to them at {:.1f} out of 5 on average").format(who, group["mean"])

    return Markup("{}; {}.").format(rated(users, "users"), rated(others, "non-users")).capitalize()


def _wellbeing(profile: dict[str, Any], names: Names, threshold: int, config: AnalysisConfig) -> Markup:
    scale, wellbeing = wellbeing_effect(profile)
    valued = profile["valued"]
    effect = _number(wellbeing["effect"])
    if not math.isfinite(effect):
        reason = suppress_counts(names.clean(wellbeing["warning"]), threshold) or "too little data"
        valued_effect = _number(valued["effect"])
        if valued["outcome"] == "life_satisfaction" and math.isfinite(valued_effect):
            # The life-satisfaction model kept enough people where the scale's did not (many blank statements):
            # the sentence said users and non-users "could not be compared" above a value sentence that compares
            # them (numbers8 audit).
            return Markup(
                "On {} users and non-users could not be compared ({}). On life satisfaction, asked directly (ONS, "
                "0-10), allowing for age, gender, employment, years in the area and survey mode, users scored on "
                "average {} non-users ({} CI {} to {}); the association is {}."
            ).format(
                scale.name,
                reason,
                points_phrase(valued_effect, 2),
                level(config.confidence),
                signed(_number(valued["ci_low"]), 2),
                signed(_number(valued["ci_high"]), 2),
                GRADE_WORDS.get(str(valued["evidence"]), str(valued["evidence"])),
            )
        return Markup("The wellbeing of users and non-users could not be compared ({}).").format(reason)
    sentence = Markup(
        "Allowing for age, gender, employment, years in the area and survey mode, users scored on average {} "
        "non-users on {} ({} CI {} to {})."
    ).format(
        points_phrase(effect),
        scale.name,
        level(config.confidence),
        signed(_number(wellbeing["ci_low"])),
        signed(_number(wellbeing["ci_high"])),
    )
    words = outcome_words(str(valued["outcome"]), config)
    if words and valued["evidence"]:
        sentence += Markup(" On {}, the association is {}.").format(
            words, GRADE_WORDS.get(valued["evidence"], valued["evidence"])
        )
    shrunk = _number(valued["effect_shrunk"])
    if math.isfinite(shrunk):
        sentence += Markup(
            " Allowing for the winner's curse (partial pooling across assets, a sensitivity check), the effect would "
            "be {:+.2f} life-satisfaction points rather than {:+.2f}."
        ).format(shrunk, _number(valued["effect"]))
    return sentence


def _value(profile: dict[str, Any], names: Names, threshold: int, ci: str) -> Markup:
    row = {
        "name": profile["name"],
        "community": profile["community"],
        **profile["valued"],
        **profile["value"],
    }
    return Markup(value_sentence(row, names, threshold, ci=ci))

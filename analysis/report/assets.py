"""Report text on the assets: how much each is used and valued, and the wellbeing of users.

Each function gives its section's template (``templates/sections/``) the sentences, figures and
tables; plain strings are escaped by the template, sentences with emphasis are `Markup`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from analysis.asset_use import asset_use, frequency_labels
from analysis.dataset import records
from analysis.disclosure import suppress_counts
from analysis.report.figures import embed, forest_figure, use_figure
from analysis.report.names import Names
from analysis.report.phrases import blank, count_phrase, level, points_phrase, signed
from analysis.report.tables import table
from analysis.report.templating import Context
from analysis.result import AnalysisTables

KIND_LABELS = {
    "community_group": "community group",
    "individual": "individual",
    "place": "place",
    "voluntary_org": "voluntary organisation",
    "other": "other",
}


def use_table(result: AnalysisTables) -> pd.DataFrame:
    """``result.asset_use`` when the pipeline made it, else computed here from the dataset."""
    made = getattr(result, "asset_use", None)
    if isinstance(made, pd.DataFrame):
        return made
    return asset_use(result.dataset.responses, result.dataset.assets, result.config)


def _share_with_count(count: Any, share: Any) -> str:
    if blank(count) or blank(share):
        return ""
    return f"{float(share):.0%} ({int(count):,})"


def _importance(mean: Any, n: Any) -> str:
    if blank(mean) or blank(n):
        return ""
    return f"{float(mean):.1f} (n={int(n):,})"


def use_section(result: AnalysisTables, names: Names) -> Context:
    """Use (users, frequency distribution) and importance ratings of each asset, by community."""
    threshold = result.config.disclosure_threshold
    use = use_table(result)
    labels = frequency_labels()
    figure = None
    if len(use):
        figure = embed(
            use_figure(use, names),
            "Share of the respondents asked who use each asset at all (bar, one colour and pattern per "
            "community), with a black vertical line at the share who use it about once a week or more. "
            "Assets with too few users or non-users to report are marked instead of drawn.",
        )
    communities = []
    for community in names.ordered():
        rows = use[use["community"] == community]
        if len(rows) == 0:
            continue
        name = names.community(community)
        sentences: list[str] = []
        shown = rows[rows["user_share"].notna()].sort_values("user_share", ascending=False)
        if len(shown):
            top = records(shown)[0]
            sentences.append(
                Markup("In {}, the most used asset is <strong>{}</strong>: {} of {:,} people asked ({:.0%}).").format(
                    name, top["name"], count_phrase(top["users"], threshold, "user"), top["asked"], top["user_share"]
                )
            )
        rated = rows[rows["importance_users_mean"].notna()].sort_values("importance_users_mean", ascending=False)
        if len(rated):
            top = records(rated)[0]
            sentences.append(
                Markup("Users rate <strong>{}</strong> as mattering most to them (average {:.1f} out of 5).").format(
                    top["name"], top["importance_users_mean"]
                )
            )
        if rows["suppressed"].astype(bool).any():
            sentences.append(
                f"Blank cells hide groups of fewer than {threshold} people (or numbers from which such a group "
                "could be worked out)."
            )
        shares = rows.assign(
            kind_label=rows["kind"].map(lambda kind: KIND_LABELS.get(str(kind), str(kind))),
            users_text=[_share_with_count(c, s) for c, s in zip(rows["users"], rows["user_share"], strict=True)],
            importance_users=[
                _importance(m, n)
                for m, n in zip(rows["importance_users_mean"], rows["importance_users_n"], strict=True)
            ],
            importance_non_users=[
                _importance(m, n)
                for m, n in zip(rows["importance_non_users_mean"], rows["importance_non_users_n"], strict=True)
            ],
        )
        columns = [
            ("name", "Asset", "text"),
            ("kind_label", "Kind", "text"),
            ("asked", "People asked", "int"),
            ("users_text", "Users (share, number)", "text"),
        ]
        columns += [(f"frequency_{code}_share", label, "pct") for code, label in labels.items()]
        columns += [
            ("importance_users", "Matters to users (1-5, mean)", "text"),
            ("importance_non_users", "Matters to non-users (1-5, mean)", "text"),
        ]
        caption = (
            f"Use and importance of each asset in {name}: how often, as a share of the people asked "
            f"(blank: fewer than {threshold} people)"
        )
        communities.append({"name": name, "sentences": sentences, "table": table(shares, columns, caption)})
    return {
        "frequencies": ", ".join(label.lower() for label in labels.values()),
        "figure": figure,
        "communities": communities,
    }


def effects_section(result: AnalysisTables, names: Names) -> Context:
    """Wellbeing (WEMWBS, or SWEMWBS) of users against non-users of each asset (the models behind the valuation)."""
    effects = result.asset_effects
    config = result.config
    scale = result.scale
    ci = level(config.confidence)
    threshold = config.disclosure_threshold
    estimated = effects[effects["effect"].notna()]
    skipped = effects[effects["effect"].isna()]
    sentences: list[str] = [
        f"For each asset we compared the {scale.name} scores of people who use it with those of people in the same "
        f"community who do not, allowing for age, gender, employment, years in the area and how the survey was "
        f"done (online, interview or paper). {len(estimated)} of {len(effects)} assets had enough users and "
        f"non-users (at least {config.min_group} of each) to do this."
    ]
    clear = estimated[estimated["p_adj"] < config.alpha]
    if len(clear):
        for row in records(clear.sort_values("effect", ascending=False)):
            community = names.community(names.asset_community.get(str(row["asset"]), ""))
            sentences.append(
                Markup(
                    "Users of <strong>{}</strong> ({}) scored on average {} non-users ({} CI {} to {}), a difference "
                    "that stands out even after allowing for the number of assets tested."
                ).format(
                    names.asset(row["asset"]),
                    community,
                    points_phrase(row["effect"]),
                    ci,
                    signed(row["ci_low"]),
                    signed(row["ci_high"]),
                )
            )
    else:
        sentences.append(
            "After allowing for the number of assets tested at once, no single asset stands out clearly; that "
            "does not mean the assets make no difference, only that this survey cannot tell them apart from chance."
        )
    if len(estimated) and scale.meaningful_change:
        # valuation.md, "Other figures a workshop expects": the yardstick people ask for beside a difference.
        sentences.append(
            f"For scale: {scale.meaningful_change}. The differences here are between the averages of users and "
            "non-users, not changes in any one person."
        )
    if len(skipped):
        reasons = [
            f"{names.asset(row['asset'])} ({suppress_counts(names.clean(row['warning']), threshold)})"
            for row in records(skipped)
        ]
        sentences.append("Not estimated: " + "; ".join(reasons) + ".")
    dose = result.dose_response.set_index("asset")
    short = result.swemwbs_effects.set_index("asset")
    merged = effects.set_index("asset").join(dose[["effect"]].add_prefix("dose_"))
    merged = merged.join(short[["effect"]].add_prefix("swemwbs_")).reset_index()
    merged["name"] = [names.asset(slug) for slug in merged["asset"]]
    merged["community_name"] = [names.community(names.asset_community.get(str(s), "")) for s in merged["asset"]]
    merged["kind"] = merged["kind"].map(lambda kind: KIND_LABELS.get(str(kind), str(kind)))
    merged["users_text"] = ["" if 0 < int(n) < threshold else f"{int(n):,}" for n in merged["n_users"]]
    agree = estimated.merge(short.reset_index()[["asset", "effect"]], on="asset", suffixes=("", "_short"))
    agree = agree[agree["effect_short"].notna()]
    if len(agree):
        same = int((np.sign(agree["effect"]) == np.sign(agree["effect_short"])).sum())
        sentences.append(
            f"As a check, the same models with the short scale (SWEMWBS, 7-35) point the same way for {same} of "
            f"{len(agree)} assets."
        )
    short_only = int(result.summary.get("short_form_only", 0))
    if short_only and scale.key == "wemwbs":
        sentences.append(
            f"{short_only:,} responses have a SWEMWBS score but no complete WEMWBS (they were asked the short form, "
            "or left out a statement only the full form has): they are in the SWEMWBS check, not in the WEMWBS "
            "models. An asset of a community that asked only the short form is therefore not estimated here; its "
            "SWEMWBS difference is in the table, and its community's asset profiles, made for that community "
            "alone, are modelled on SWEMWBS."
        )
    effects_table = table(
        merged,
        [
            ("name", "Asset", "text"),
            ("community_name", "Community", "text"),
            ("kind", "Kind", "text"),
            ("users_text", "Users", "text"),
            ("n", "In model", "int"),
            ("effect", f"Difference ({scale.name} points)", "s2"),
            ("ci_low", f"{ci} CI from", "s2"),
            ("ci_high", f"{ci} CI to", "s2"),
            ("p", "p", "p"),
            ("p_adj", "p (BH-adjusted)", "p"),
            ("dose_effect", "Per step of use (0-4)", "s2"),
            *([("swemwbs_effect", "SWEMWBS difference", "s2")] if len(short) else []),
        ],
        f"Asset effects: {scale.name} points associated with using each asset, adjusted (users blank: fewer than "
        f"{threshold})",
    )
    figure = embed(
        forest_figure(estimated, names, config.alpha, scale.name),
        f"Difference in {scale.name} score between users and non-users of each estimated asset (marker), with its "
        f"{ci} confidence interval (line), adjusted for age, gender, employment, years in the area and survey "
        "mode; one colour and marker shape per community. Filled markers: clear after allowing for "
        "multiple testing (Benjamini-Hochberg); hollow: not clear. The dashed line is no difference.",
    )
    note = (
        f"'Per step of use' is the change in {scale.name} for each step up the frequency scale (never, less than "
        "monthly, about monthly, about weekly, most days): a dose-response check."
    )
    if len(short):
        note += " SWEMWBS differences are on the short scale (7-35) and are not directly comparable in size."
    return {"figure": figure, "sentences": sentences, "table": effects_table, "note": note}

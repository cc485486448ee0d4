"""What an asset profile page and the profile pack show: the asset log's entry beside its stored figures.

"What it is" (name, kind, description, who runs it, where, cost) is read from the asset log as it
is now; everything counted or estimated comes from the scope's analysis snapshot
(`survey.datasets.snapshots`), never from a fresh analysis.

Workshop ratings: every function here takes ``workshop_ratings``, a sequence of
`analysis.profile.WorkshopRatings` (one per asset and workshop; empty until the workshop mode
passes its summaries), and shows them under "Workshop ratings" only when there are some.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import select

from analysis.config import WELLBY_HIGH, WELLBY_LOW, WELLBY_PRICE_YEAR
from analysis.evidence_grades import EVIDENCE_LABELS
from analysis.profile import WorkshopRatings
from analysis.profile_figures import profile_charts
from analysis.scales import scale_of, wellbeing_effect
from survey.assets.fields import KIND_LABELS
from survey.datasets.snapshots import current_snapshot, is_stale, latest_attempt
from survey.extensions import db
from survey.models import AnalysisSnapshot, Asset, Community


@dataclass(frozen=True)
class ProfileState:
    """Where the figures of a scope stand: the snapshot shown (if any), and any build in progress."""

    snapshot: AnalysisSnapshot | None
    attempt: AnalysisSnapshot | None  # the newest build, if newer than the snapshot shown
    stale: bool

    @property
    def preparing(self) -> bool:
        return self.attempt is not None and self.attempt.status in ("queued", "running")

    @property
    def failed(self) -> bool:
        return self.attempt is not None and self.attempt.status == "failed"


def profile_state(community: Community, campaign_slug: str | None = None) -> ProfileState:
    """The current snapshot of the scope, the newest build attempt after it, and whether it is out of date."""
    snapshot = current_snapshot(community, campaign_slug)
    attempt = latest_attempt(community, campaign_slug)
    if attempt is not None and snapshot is not None and attempt.id == snapshot.id:
        attempt = None
    return ProfileState(snapshot, attempt, snapshot is not None and is_stale(snapshot))


@dataclass(frozen=True)
class AssetProfile:
    """One asset's profile as the templates show it."""

    asset: Asset
    kind_label: str
    figures: dict[str, Any] | None  # None: the snapshot does not cover the asset (not asked yet)
    sentences: dict[str, Markup]
    charts: dict[str, Markup]
    tables: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    workshop: tuple[WorkshopRatings, ...] = field(default=())

    @property
    def where(self) -> str:
        """Where the asset is, as the asset log's Location column says it (the free text and the
        postcode), else its coordinates: "not recorded" only when the log holds none of them."""
        asset = self.asset
        said = ", ".join(part for part in (asset.location, asset.postcode) if part)
        if said:
            return said
        if asset.latitude is not None and asset.longitude is not None:
            return f"{asset.latitude:.5f}, {asset.longitude:.5f} (latitude, longitude)"
        return "not recorded"


def asset_profile(
    asset: Asset, snapshot: AnalysisSnapshot | None, workshop_ratings: Sequence[WorkshopRatings] = ()
) -> AssetProfile:
    """The profile of `asset` from `snapshot` (its stored figures), with its workshop ratings if any.

    `workshop_ratings` may hold other assets' summaries too: only this asset's are kept.
    """
    figures = (snapshot.figures or {}).get("assets", {}).get(asset.slug) if snapshot is not None else None
    sentences = {key: Markup(text) for key, text in (figures or {}).get("sentences", {}).items()}
    if figures:
        count = len(figures["nominations"])
        sentences["nominations"] = Markup(
            "No resident's nomination names it."
            if count == 0
            else f"{count} resident nomination{'s' if count != 1 else ''} name{'s' if count == 1 else ''} it."
        )
    return AssetProfile(
        asset=asset,
        kind_label=KIND_LABELS.get(asset.kind, asset.kind),
        figures=figures,
        sentences=sentences,
        charts=profile_charts(figures) if figures else {},
        tables=display_tables(figures, int((snapshot.figures or {}).get("threshold", 10)))
        if snapshot and figures
        else {},
        workshop=tuple(rating for rating in workshop_ratings if rating.asset == asset.slug),
    )


# The profile's sentences a workshop card shows, and their labels there.
CARD_SENTENCES = (("use", "Who uses it"), ("wellbeing", "Wellbeing"), ("value", "Value"))


def card_evidence(community: Community) -> dict[str, dict[str, Markup]]:
    """What a workshop card shows of each asset's profile, by asset slug: who uses it, its wellbeing
    association with the evidence grade, and its value range, in the profile's own sentences (the
    community's current figures; empty until they have been prepared)."""
    snapshot = current_snapshot(community)
    assets = (snapshot.figures or {}).get("assets", {}) if snapshot is not None else {}
    return {
        slug: {label: Markup(figures["sentences"][key]) for key, label in CARD_SENTENCES if key in figures["sentences"]}
        for slug, figures in assets.items()
        if figures.get("sentences")
    }


def pack_profiles(
    community: Community, snapshot: AnalysisSnapshot, workshop_ratings: Sequence[WorkshopRatings] = ()
) -> list[AssetProfile]:
    """A profile for every asset the snapshot covers, by name (the pack's pages)."""
    slugs = list((snapshot.figures or {}).get("assets", {}))
    assets = db.session.scalars(
        select(Asset).where(Asset.community_id == community.id, Asset.slug.in_(slugs)).order_by(Asset.name)
    ).all()
    return [asset_profile(asset, snapshot, workshop_ratings) for asset in assets]


def _pct(share: Any) -> str:
    return "not shown" if share is None else f"{share:.0%}"


def _count(value: Any) -> str:
    return "not shown" if value is None else f"{value:,}"


def _users(value: dict[str, Any], threshold: int) -> str:
    """Users valued and on what basis; a scaled count names the population and its source (valuation.md)."""
    from analysis.report.ledger import population_phrase

    users = value["users_valued"]
    if users is None:
        return "not estimated"
    if 0 < users < threshold:
        return f"fewer than {threshold}"
    basis = value.get("users_basis")
    if basis == "scaled_random":
        return f"{round(users):,} (scaled to {population_phrase(value)}; random sample)"
    if basis == "scaled_quota":
        return f"{round(users):,} (scaled to {population_phrase(value)}; quota sample, may not represent it)"
    return f"{round(users):,} (surveyed users only)" if basis == "surveyed" else f"{round(users):,}"


def _range(low: Any, high: Any) -> str:
    return "not estimated" if low is None or high is None else f"{low:+.2f} to {high:+.2f}"


def _points(value: Any, decimals: int = 2) -> str:
    return "not estimated" if value is None else f"{value:+.{decimals}f}"


def _p(value: Any) -> str:
    return "not estimated" if value is None else ("< 0.001" if value < 0.001 else f"{value:.3f}")


def display_tables(figures: dict[str, Any], threshold: int) -> dict[str, list[tuple[str, ...]]]:
    """The numbers of a stored profile as table rows of text (small counts read "not shown")."""
    # Imported here: the report's package loads matplotlib, which a web worker needs only once it shows figures.
    from analysis.disclosure import suppress_counts
    from analysis.report.ledger import OUTCOME_LABELS, period, suppressed, withheld
    from analysis.report.phrases import money, ratio

    scale, wellbeing = wellbeing_effect(figures)
    use, valued, value = figures["use"], figures["valued"], figures["value"]
    importance = use["importance"]
    tables: dict[str, list[tuple[str, ...]]] = {
        "frequency": [(row["label"], _count(row["count"]), _pct(row["share"])) for row in use["frequency"]],
        "by_group": [
            (row["group"], _count(row["asked"]), _count(row["users"]), _pct(row["user_share"]))
            for breakdown in figures["use_by"].values()
            for row in breakdown
        ],
        "importance": [
            (user["label"], _pct(user["share"]), _pct(other["share"]))
            for user, other in zip(
                importance["users"]["distribution"], importance["non_users"]["distribution"], strict=True
            )
        ],
        "importance_means": [
            (
                group,
                "not shown" if importance[key]["mean"] is None else f"{importance[key]['mean']:.1f}",
                _count(importance[key]["n"]),
            )
            for group, key in (("Users", "users"), ("Non-users", "non_users"))
        ],
        "wellbeing": [
            (f"{scale.title} difference, users minus non-users (points)", _points(wellbeing["effect"])),
            ("95% confidence interval", _range(wellbeing["ci_low"], wellbeing["ci_high"])),
            (
                f"{scale.title} p (adjusted for the number of assets tested)",
                f"{_p(wellbeing['p'])} (adjusted {_p(wellbeing['p_adj'])})",
            ),
            ("Outcome valued", OUTCOME_LABELS.get(valued["outcome"] or "", "none")),
            ("Effect valued (life-satisfaction points)", _points(valued["effect"])),
            # The evidence grade is the valued effect's: without its own p beside it, a WEMWBS
            # adjusted p of 0.048 stood over "Suggestive (not established)" (its p was 0.129).
            ("95% confidence interval of the effect valued", _range(valued["ci_low"], valued["ci_high"])),
            (
                "p of the effect valued (adjusted for the number of assets tested)",
                f"{_p(valued['p'])} (adjusted {_p(valued['p_adj'])})",
            ),
            ("Evidence (of the effect valued)", EVIDENCE_LABELS.get(valued["evidence"] or "", "not graded")),
            ("Shrunken effect (sensitivity)", _points(valued["effect_shrunk"])),
        ],
    }
    clear_positive = valued["evidence"] == "clear" and (valued["effect"] or 0) > 0
    rows: list[tuple[str, ...]] = [
        (
            "Basis",
            "net of the agreed adjustments" if value["value_basis"] == "net" else "gross (no adjustments agreed)",
        ),
        ("Gross value a year (central)", money(value["gross_value_central"]) if clear_positive else "not established"),
        # Over several agreed years the value is their present value, not one year's (numbers5 audit).
        (f"Value {period(value)} (central)", money(value["value_central"]) if clear_positive else "not established"),
        (
            # A clear negative association is not a value (selection, not harm): its range is at face value, as
            # the report's ledger says, not "if the association were real" (it is clear).
            "95% range"
            if clear_positive
            else "95% range at face value (a negative association, not a value)"
            if valued["evidence"] == "clear"
            else "95% range, if the association were real",
            f"{money(value['value_low'])} to {money(value['value_high'])}",
        ),
        (
            # The run's pounds per WELLBY, in 2019 prices; the figures beside them are in the snapshot's price year.
            # The row said HM Treasury's "£10,000 to £16,000" whatever the run used; a snapshot stored before the
            # values were recorded was made with those.
            f"With a WELLBY at £{value.get('wellby_low', WELLBY_LOW):,.0f} to "
            f"£{value.get('wellby_high', WELLBY_HIGH):,.0f}"
            + ("" if value.get("price_year") in (None, WELLBY_PRICE_YEAR) else f" ({WELLBY_PRICE_YEAR} prices)"),
            # Central values at another WELLBY price are money headlines too: for an effect that is not clear
            # (or negative) the row showed them unqualified beside "not established" (numbers8 audit).
            f"{money(value['value_central_wellby_low'])} to {money(value['value_central_wellby_high'])}"
            if clear_positive
            else "not established",
        ),
        ("Users valued", _users(value, threshold)),
        (
            "Annual cost",
            # A cost year read from a table with blanks is a float: it said "(2023.0 prices)" (numbers8 audit).
            money(value["annual_cost"]) + (f" ({int(value['cost_year'])} prices)" if value["cost_year"] else ""),
        ),
    ]
    if clear_positive and value["bcr_central"] is not None:
        rows.append(
            (
                "Benefit-cost ratio",
                f"{ratio(value['bcr_central'])} (range {ratio(value['bcr_low'])} to {ratio(value['bcr_high'])})",
            )
        )
    else:
        rows.append(("Benefit-cost ratio", "none: only for a clear positive effect with a known cost"))
    if suppressed(value):
        # Fewer users than the threshold: any value, range or count would give their number away (the analysis
        # leaves them blank, which read "not known").
        rows = [(label, text if label in ("Basis", "Annual cost") else withheld(threshold)) for label, text in rows]
    tables["value"] = rows
    # Model warnings quote counts of users ("3 users"): small ones are never shown.
    tables["notes"] = [(suppress_counts(text, threshold),) for text in (value["caveat"], value["warning"]) if text]
    if value["value_basis"] == "net":
        tables["adjustments"] = [
            (
                *(f"{(value[key] or 0):.0%}" for key in ("deadweight", "displacement", "attribution", "drop_off")),
                str(value["years"]),
                value["adjustment_reason"] or "",
                " ".join(str(value[key]) for key in ("agreed_by", "agreed_on") if value[key]),
            )
        ]
    return tables


COVER_MEASURES = {
    "wemwbs": "Mental wellbeing (WEMWBS, 14-70)",
    "swemwbs": "Short scale (SWEMWBS, 7-35)",
    "ons_life_satisfaction": "Life satisfaction (ONS, 0-10)",
}


def cover(summary: dict[str, Any], threshold: int) -> tuple[str, list[tuple[str, str, str, str]]]:
    """The pack cover's sentence on the community's wellbeing and its table rows (from the snapshot)."""
    rows = []
    for measure, label in COVER_MEASURES.items():
        row = summary.get("measures", {}).get(measure)
        if not row or not row["n"]:
            continue
        shown = row["mean"] is not None
        rows.append(
            (
                label,
                f"{row['n']:,}",
                f"{row['mean']:.1f}" if shown else "not shown",
                f"{row['ci_low']:.1f} to {row['ci_high']:.1f}" if shown and row["ci_low"] is not None else "",
            )
        )
    norm = summary.get("norm", {})
    scale = scale_of(str(summary.get("scale") or norm.get("measure") or "wemwbs"))
    if scale.is_life_satisfaction:  # no England norm for it in the project's references
        sentence = f"The survey measured wellbeing with {scale.full_name}; no England average is compared for it."
    elif norm.get("difference") is None:
        sentence = f"Too few people completed {scale.name} (fewer than {threshold}) to compare with England."
    else:
        direction = "above" if norm["difference"] > 0 else "below"
        sentence = (
            f"The average {scale.name} score here is {norm['mean']:.1f}, {abs(norm['difference']):.1f} points "
            f"{direction} the England average for the same mix of men and women ({norm['norm']:.1f}; 95% CI of the "
            f"difference {norm['ci_low']:+.1f} to {norm['ci_high']:+.1f}; {norm['norm_source']})."
        )
    return sentence, rows

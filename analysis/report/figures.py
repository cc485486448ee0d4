"""The report's figures: matplotlib's object API (no pyplot, so no global state; thread safe).

`embed` turns a figure into a `Picture` (a PNG data: URI and its caption) for the templates:
the report file stays self-contained.

Every chart draws each community in its own colour, hatch and marker (`Names.style`), with a
legend, so it reads in colour, for colour-blind readers and in black and white.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.config import WEMWBS_BANDS
from analysis.dataset import records
from analysis.report.names import OVERALL_COLOUR, SIXWAYS_LABELS, Names
from analysis.report.phrases import level

EDGE = "#1b1b1b"


@dataclass(frozen=True)
class Picture:
    """A figure as an embedded PNG (``data:`` URI) with its caption, used as alt text and figcaption."""

    src: str
    caption: str


def embed(figure: Figure, caption: str) -> Picture:
    """`figure` as a PNG (110 dpi) inside a data: URI."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return Picture("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"), caption)


def _short(label: str, limit: int = 48) -> str:
    return label if len(label) <= limit else label[: limit - 3] + "..."


def _community_legend(
    axes: Axes, names: Names, communities: Sequence[str], *, overall: bool = False, **kwargs: Any
) -> None:
    handles = []
    if overall:
        handles.append(Patch(facecolor=OVERALL_COLOUR, edgecolor=EDGE, label="Everyone"))
    for slug in communities:
        style = names.style(slug)
        handles.append(Patch(facecolor=style.colour, edgecolor=EDGE, hatch=style.hatch, label=names.community(slug)))
    axes.legend(handles=handles, fontsize=8, frameon=False, **kwargs)


def wellbeing_figure(
    norms: pd.DataFrame, bands: pd.DataFrame, names: Names, *, ci: str = "95%", scale_label: str = "WEMWBS (14-70)"
) -> Figure:
    """Left: mean score with its `ci` CI and the England norm per group; right, when `bands` has rows, the bands."""
    rows = norms[norms["group_type"].isin(["overall", "community"])].iloc[::-1]
    figure = Figure(figsize=(10 if len(bands) else 6, 0.55 * len(rows) + 2.4), layout="constrained")
    if len(bands):
        left, right = figure.subplots(1, 2, width_ratios=(1, 1.2))
    else:
        left = figure.subplots()
    positions = np.arange(len(rows))
    groups = [str(group) for group in rows["group"]]
    labels = ["Everyone" if group == "overall" else names.community(group) for group in groups]
    for position, row in zip(positions, records(rows), strict=True):
        group = str(row["group"])
        style = names.style(group)
        if row["suppressed"]:
            left.text(
                0.02, position, "fewer than threshold", transform=left.get_yaxis_transform(), va="center", fontsize=8
            )
            continue
        mean = float(row["mean"])
        low = mean - (float(row["difference"]) - float(row["ci_low"]))
        high = mean + (float(row["ci_high"]) - float(row["difference"]))
        left.errorbar(
            mean, position, xerr=[[mean - low], [high - mean]], fmt=style.marker, color=style.colour, capsize=3
        )
        left.scatter(float(row["norm"]), position, marker="|", s=300, color=EDGE)
    left.set_yticks(positions, labels)
    left.set_xlabel(f"{scale_label} score")
    left.set_title(f"Average (dot, {ci} CI) and England norm (|)", fontsize=10)
    if len(bands):
        _bands_panel(right, bands, groups[::-1], names)
    return figure


def _bands_panel(axes: Axes, bands: pd.DataFrame, shown: list[str], names: Names) -> None:
    """Grouped bars: the share of each group in each WEMWBS band."""
    width = 0.8 / max(len(shown), 1)
    base = np.arange(len(WEMWBS_BANDS))
    for index, group in enumerate(shown):
        style = names.style(group)
        shares = []
        for label, _upper in WEMWBS_BANDS:
            match = bands[(bands["group"] == group) & (bands["band"] == label)]
            share = match["share"].iloc[0] if len(match) else np.nan
            shares.append(float(share) if pd.notna(share) else 0.0)
        axes.bar(
            base + index * width - 0.4 + width / 2,
            shares,
            width,
            color=style.colour,
            hatch=style.hatch,
            edgecolor=EDGE,
            linewidth=0.5,
        )
    axes.set_xticks(base, [label.split(" (")[0] for label, _upper in WEMWBS_BANDS])
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(lambda value, _pos: f"{value:.0%}")
    axes.set_xlabel("WEMWBS score band (conventions, not diagnoses)")
    axes.set_title("Share of people in each score band", fontsize=10)
    communities = [group for group in shown if group != "overall"]
    _community_legend(axes, names, communities, overall="overall" in shown, loc="upper right")


def sixways_figure(rows: pd.DataFrame, dims: Sequence[str], names: Names) -> Figure:
    """Grouped bars: average of each six-ways dimension (1-5) with its CI, everyone and per community."""
    communities = sorted(set(rows["group"]) - {"overall"}, key=lambda slug: names.community(slug).lower())
    groups = ["overall", *communities]
    figure = Figure(figsize=(10, 4.4), layout="constrained")
    axes = figure.subplots()
    width = 0.8 / len(groups)
    base = np.arange(len(dims))
    for index, group in enumerate(groups):
        style = names.style(group)
        chosen = rows[rows["group"] == group].set_index("measure").reindex(dims)
        mean = chosen["mean"].to_numpy(dtype=float)
        error = np.vstack(
            [mean - chosen["ci_low"].to_numpy(dtype=float), chosen["ci_high"].to_numpy(dtype=float) - mean]
        )
        axes.bar(
            base + index * width - 0.4 + width / 2,
            np.nan_to_num(mean),
            width,
            yerr=np.nan_to_num(error),
            color=style.colour,
            hatch=style.hatch,
            edgecolor=EDGE,
            linewidth=0.5,
            capsize=2,
        )
    axes.set_xticks(base, [SIXWAYS_LABELS[d] for d in dims])
    axes.set_ylim(1, 5)
    axes.set_ylabel("average (1 = never, 5 = very often)")
    _community_legend(
        axes,
        names,
        communities,
        overall=True,
        ncols=min(len(groups), 5),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
    )
    return figure


def use_figure(use: pd.DataFrame, names: Names) -> Figure:
    """Per asset: share of respondents asked who use it (bar) and who use it weekly or more (black tick)."""
    rows = use.assign(_order=use["community"].map(lambda slug: names.community(slug).lower()))
    rows = rows.sort_values(["_order", "name"], ascending=[False, False])
    figure = Figure(figsize=(9, 0.3 * max(len(rows), 3) + 1.6), layout="constrained")
    axes = figure.subplots()
    positions = np.arange(len(rows))
    for position, row in zip(positions, records(rows), strict=True):
        style = names.style(row["community"])
        share = row["user_share"]
        if pd.isna(share):
            axes.text(0.01, float(position), "not shown: too few people", va="center", fontsize=7)
            continue
        axes.barh(position, float(share), color=style.colour, hatch=style.hatch, edgecolor=EDGE, linewidth=0.5)
        weekly = row["frequency_3_share"], row["frequency_4_share"]
        if not any(pd.isna(value) for value in weekly):
            axes.plot([sum(weekly)] * 2, [position - 0.4, position + 0.4], color=EDGE, linewidth=2.2)
    axes.set_yticks(positions, [_short(str(name)) for name in rows["name"]], fontsize=8)
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(lambda value, _pos: f"{value:.0%}")
    axes.set_xlabel("share of the respondents asked")
    axes.set_ylim(-0.7, len(rows) - 0.3)
    communities = [slug for slug in names.ordered() if slug in set(rows["community"])]
    _community_legend(axes, names, communities, loc="lower right")
    return figure


def forest_figure(estimated: pd.DataFrame, names: Names, alpha: float, scale_name: str = "WEMWBS") -> Figure:
    """Per asset: users minus non-users on the run's scale, with its CI at 1 - alpha; filled = clear after BH."""
    rows = estimated.assign(community=[names.asset_community.get(str(slug), "") for slug in estimated["asset"]])
    rows = rows.assign(_order=rows["community"].map(lambda slug: names.community(slug).lower()))
    rows = rows.sort_values(["_order", "effect"], ascending=[False, True])
    figure = Figure(figsize=(9, 0.32 * max(len(rows), 3) + 1.6), layout="constrained")
    axes = figure.subplots()
    if len(rows) == 0:
        axes.text(0.5, 0.5, "No asset had enough users and non-users to estimate.", ha="center", va="center")
        axes.set_axis_off()
        return figure
    positions = np.arange(len(rows))
    for position, row in zip(positions, records(rows), strict=True):
        style = names.style(row["community"])
        filled = bool(row["p_adj"] < alpha)
        axes.plot([row["ci_low"], row["ci_high"]], [position, position], color=style.colour, linewidth=1.6)
        axes.plot(
            row["effect"],
            position,
            style.marker,
            color=style.colour,
            markerfacecolor=style.colour if filled else "white",
            markersize=7,
        )
    axes.axvline(0, color="#555", linewidth=0.8, linestyle="--")
    axes.set_yticks(positions, [_short(names.asset(slug)) for slug in rows["asset"]], fontsize=8)
    axes.set_xlabel(f"difference in {scale_name} points, users minus non-users ({level(1 - alpha)} CI)")
    axes.set_ylim(-0.7, len(rows) - 0.3)
    communities = [slug for slug in names.ordered() if slug in set(rows["community"])]
    _community_legend(axes, names, communities, loc="lower right")
    return figure


def _money_scale(values: np.ndarray) -> tuple[float, str]:
    finite = values[np.isfinite(values)]
    largest = float(np.max(np.abs(finite))) if len(finite) else 0.0
    return (1e6, "£ million") if largest >= 5e6 else (1e3, "£ thousand")


def value_figure(clear: pd.DataFrame, names: Names) -> Figure:
    """Clear assets only: value a year, Monte Carlo 95% range (line) and central (marker); cost (hollow diamond)."""
    rows = clear.sort_values("value_central")
    figure = Figure(figsize=(9, 0.4 * max(len(rows), 3) + 1.6), layout="constrained")
    axes = figure.subplots()
    positions = np.arange(len(rows))
    columns = ["value_low", "value_high", "value_central", "annual_cost"]
    scale, unit = _money_scale(rows[columns].to_numpy(dtype=float).ravel())
    for position, row in zip(positions, records(rows), strict=True):
        style = names.style(row["community"])
        axes.plot(
            [row["value_low"] / scale, row["value_high"] / scale], [position, position], color=style.colour, linewidth=2
        )
        axes.plot(row["value_central"] / scale, position, style.marker, color=style.colour, markersize=8)
        if pd.notna(row["annual_cost"]):
            axes.plot(
                row["annual_cost"] / scale, position, "D", markerfacecolor="white", markeredgecolor=EDGE, markersize=7
            )
    axes.axvline(0, color="#555", linewidth=0.8)
    # valuation.md: a bridged figure is labelled "bridged" wherever used; the chart named the asset alone.
    labels = [_short(str(row["name"])) + _bridged(row.get("outcome")) for row in records(rows)]
    axes.set_yticks(positions, labels, fontsize=8)
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.set_xlabel(unit)
    communities = [slug for slug in names.ordered() if slug in set(rows["community"])]
    _community_legend(axes, names, communities, loc="lower right")
    return figure


def tornado_figure(sensitivity: pd.DataFrame, clear: pd.DataFrame, names: Names) -> Figure:
    """One panel per clear asset: value a year with each setting at its low and its high end."""
    assets = list(dict.fromkeys(sensitivity["asset"]))
    figure = Figure(figsize=(9, 1.9 * len(assets) + 0.8), layout="constrained")
    panels = np.atleast_1d(figure.subplots(len(assets), 1, squeeze=False)[:, 0])
    community = dict(zip(clear["asset"], clear["community"], strict=True))
    outcome = dict(zip(clear["asset"], clear["outcome"], strict=True)) if "outcome" in clear else {}
    for axes, slug in zip(panels, assets, strict=True):
        rows = sensitivity[sensitivity["asset"] == slug].copy()
        rows["_swing"] = (rows["value_at_high"] - rows["value_at_low"]).abs()
        rows = rows.sort_values("_swing")
        style = names.style(community.get(slug, ""))
        central = float(rows["value_central"].iloc[0])
        scale, unit = _money_scale(
            rows[["value_at_low", "value_at_high", "value_central"]].to_numpy(dtype=float).ravel()
        )
        positions = np.arange(len(rows))
        low = rows["value_at_low"].to_numpy(dtype=float) / scale
        high = rows["value_at_high"].to_numpy(dtype=float) / scale
        left = np.minimum(low, high)
        axes.barh(
            positions,
            np.maximum(low, high) - left,
            left=left,
            color=style.colour,
            hatch=style.hatch,
            edgecolor=EDGE,
            linewidth=0.5,
        )
        axes.axvline(central / scale, color=EDGE, linewidth=1)
        labels = [
            f"{_capital(row['label'])} ({_setting(row['setting_low'])} to {_setting(row['setting_high'])})"
            for row in records(rows)
        ]
        axes.set_yticks(positions, labels, fontsize=8)
        axes.set_title(
            f"{_short(names.asset(slug), 60)} ({names.community(community.get(slug, ''))})"
            + _bridged(outcome.get(slug)),
            fontsize=9,
        )
        axes.set_xlabel(unit, fontsize=8)
    return figure


def _bridged(outcome: object) -> str:
    """' (WEMWBS, bridged)' for a value reached through a bridge, else ''."""
    text = str(outcome) if isinstance(outcome, str) else ""
    return f" ({text.removesuffix('_bridged').upper()}, bridged)" if text.endswith("_bridged") else ""


def _capital(text: object) -> str:
    words = str(text)
    return words[:1].upper() + words[1:]


def _setting(value: Any) -> str:
    number = float(value)
    if abs(number) >= 1000:
        return f"£{number:,.0f}"
    return f"{number:g}"

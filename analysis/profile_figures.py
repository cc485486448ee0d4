"""The asset profiles' charts as small inline SVG, drawn from a stored profile (no matplotlib).

Readable in black and white: every bar carries its number as text, and groups differ by fill
pattern (solid, hatched, dotted), never by colour alone. Presentation attributes only (no
``style`` attributes), so the pages' Content Security Policy needs no exception; each chart has a
``<title>`` and the page prints the same numbers in a table beside it. Ids inside a chart are
prefixed with its own name, so several charts can share one page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from analysis.scales import wellbeing_effect

INK = "#0b0c0c"
WIDTH = 480
LABEL_WIDTH = 170
ROW = 24
PATTERNS = ("solid", "hatch", "dots")


def _defs(prefix: str) -> Markup:
    return Markup(
        '<defs><pattern id="{p}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="{ink}" stroke-width="2"/></pattern>'
        '<pattern id="{p}-dots" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" '
        'fill="#ffffff"/><circle cx="2.5" cy="2.5" r="1.3" fill="{ink}"/></pattern></defs>'
    ).format(p=prefix, ink=INK)


def _fill(prefix: str, pattern: str) -> str:
    return INK if pattern == "solid" else f"url(#{prefix}-{pattern})"


def _svg(prefix: str, height: int, title: str, body: Sequence[Markup]) -> Markup:
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="profile-chart" viewBox="0 0 {w} {h}" width="{w}" '
        'height="{h}" role="img" aria-labelledby="{p}-title"><title id="{p}-title">{t}</title>{defs}{body}</svg>'
    ).format(w=WIDTH, h=height, p=prefix, t=title, defs=_defs(prefix), body=Markup("").join(body))


def _text(x: float, y: float, text: str, anchor: str = "start", weight: str = "normal") -> Markup:
    return Markup(
        '<text x="{:.1f}" y="{:.1f}" font-size="12" font-family="Arial, sans-serif" fill="{}" '
        'text-anchor="{}" font-weight="{}">{}</text>'
    ).format(x, y, INK, anchor, weight, escape(text))


def share_bars(prefix: str, title: str, rows: Sequence[tuple[str, float | None]], pattern: str = "solid") -> Markup:
    """Horizontal bars of shares (0-1), each labelled with its percentage; None: "not shown"."""
    scale = WIDTH - LABEL_WIDTH - 50
    body = []
    for index, (label, share) in enumerate(rows):
        y = 6 + index * ROW
        body.append(_text(LABEL_WIDTH - 6, y + 14, label, anchor="end"))
        if share is None or not math.isfinite(share):
            body.append(_text(LABEL_WIDTH + 4, y + 14, "not shown (small numbers)"))
            continue
        width = max(scale * share, 0.5)
        body.append(
            Markup('<rect x="{}" y="{}" width="{:.1f}" height="16" fill="{}" stroke="{}"/>').format(
                LABEL_WIDTH, y + 2, width, _fill(prefix, pattern), INK
            )
        )
        body.append(_text(LABEL_WIDTH + width + 4, y + 14, f"{share:.0%}"))
    return _svg(prefix, 12 + ROW * len(rows), title, body)


def paired_bars(
    prefix: str, title: str, rows: Sequence[tuple[str, Sequence[float | None]]], groups: Sequence[str]
) -> Markup:
    """Groups of bars (one pattern per group, with a legend); values are shares (0-1)."""
    scale = WIDTH - LABEL_WIDTH - 50
    per = 16 * len(groups) + 8
    body = []
    for index, group in enumerate(groups):
        x = LABEL_WIDTH + index * 150
        body.append(
            Markup('<rect x="{}" y="4" width="14" height="12" fill="{}" stroke="{}"/>').format(
                x, _fill(prefix, PATTERNS[index % len(PATTERNS)]), INK
            )
        )
        body.append(_text(x + 18, 14, group))
    for row, (label, values) in enumerate(rows):
        top = 24 + row * per
        body.append(_text(LABEL_WIDTH - 6, top + 12 + 8 * (len(groups) - 1), label, anchor="end"))
        for index, value in enumerate(values):
            y = top + index * 16
            if value is None or not math.isfinite(value):
                body.append(_text(LABEL_WIDTH + 4, y + 12, "not shown"))
                continue
            width = max(scale * value, 0.5)
            body.append(
                Markup('<rect x="{}" y="{}" width="{:.1f}" height="13" fill="{}" stroke="{}"/>').format(
                    LABEL_WIDTH, y + 1, width, _fill(prefix, PATTERNS[index % len(PATTERNS)]), INK
                )
            )
            body.append(_text(LABEL_WIDTH + width + 4, y + 12, f"{value:.0%}"))
    return _svg(prefix, 28 + per * len(rows), title, body)


def interval(prefix: str, title: str, rows: Sequence[tuple[str, float, float, float]], unit: str) -> Markup:
    """Point estimates with their ranges on one axis through zero (a forest plot), each labelled."""
    finite = [v for row in rows for v in row[1:] if math.isfinite(v)]
    if not finite:
        return Markup("")
    reach = max(abs(v) for v in finite) or 1.0
    left, right = LABEL_WIDTH, WIDTH - 20
    middle = (left + right) / 2

    def x(value: float) -> float:
        return middle + (right - left) / 2 * value / (reach * 1.1)

    height = 42 + ROW * len(rows)
    body = [
        Markup('<line x1="{0:.1f}" y1="4" x2="{0:.1f}" y2="{1}" stroke="{2}" stroke-dasharray="4 3"/>').format(
            middle, height - 18, INK
        ),
        _text(middle, height - 4, f"0 ({unit})", anchor="middle"),
    ]
    for index, (label, point, low, high) in enumerate(rows):
        y = 22 + index * ROW
        body.append(_text(LABEL_WIDTH - 6, y + 4, label, anchor="end"))
        if not all(math.isfinite(v) for v in (point, low, high)):
            body.append(_text(LABEL_WIDTH + 4, y + 4, "not estimated"))
            continue
        body.append(
            Markup('<line x1="{:.1f}" y1="{}" x2="{:.1f}" y2="{}" stroke="{}" stroke-width="2"/>').format(
                x(low), y, x(high), y, INK
            )
        )
        body.append(Markup('<circle cx="{:.1f}" cy="{}" r="5" fill="{}"/>').format(x(point), y, INK))
        body.append(_text(x(point), y - 7, f"{point:+.2f}", anchor="middle", weight="bold"))
    return _svg(prefix, height, title, body)


def profile_charts(profile: dict[str, Any]) -> dict[str, Markup]:
    """The charts of one stored profile: ``frequency``, ``importance``, ``by_group`` and ``effect``."""
    slug = profile["asset"]
    use = profile["use"]
    charts: dict[str, Markup] = {}
    frequency = [(row["label"], row["share"]) for row in use["frequency"]]
    if any(share is not None for _label, share in frequency):
        charts["frequency"] = share_bars(f"{slug}-freq", f"How often people asked use {profile['name']}", frequency)
    users, others = use["importance"]["users"]["distribution"], use["importance"]["non_users"]["distribution"]
    if any(row["share"] is not None for row in (*users, *others)):
        charts["importance"] = paired_bars(
            f"{slug}-imp",
            f"How much {profile['name']} matters, users and non-users",
            [(u["label"], (u["share"], n["share"])) for u, n in zip(users, others, strict=True)],
            ("Users", "Non-users"),
        )
    groups = [(row["group"], row["user_share"]) for rows in profile["use_by"].values() for row in rows]
    if any(share is not None for _label, share in groups):
        charts["by_group"] = share_bars(f"{slug}-grp", "Share who use it, by age band and gender", groups, "hatch")
    scale, wellbeing = wellbeing_effect(profile)
    valued = profile["valued"]
    rows: list[tuple[str, float, float, float]] = []
    for label, source in ((f"{scale.title} points", wellbeing), ("Life satisfaction (valued)", valued)):
        point, low, high = (
            math.nan if source.get(key) is None else float(source[key]) for key in ("effect", "ci_low", "ci_high")
        )
        rows.append((label, point, low, high))
    shrunk, se = valued.get("effect_shrunk"), valued.get("se_shrunk")
    if shrunk is not None and se is not None:
        rows.append(("Shrunken (sensitivity)", shrunk, shrunk - 1.96 * se, shrunk + 1.96 * se))
    if any(math.isfinite(row[1]) for row in rows):
        charts["effect"] = interval(
            f"{slug}-eff", f"Wellbeing of users compared with non-users of {profile['name']}", rows, "no difference"
        )
    return charts

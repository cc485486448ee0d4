"""HTML pieces of the report: style sheet, tables, embedded figures and number phrasing.

Tables sit in their own scrolling container, so a wide table scrolls sideways on a phone while
the page itself never does; at 1280 px they fit.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

CSS = """
html { -webkit-text-size-adjust: 100%; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; line-height: 1.5;
       color: #1b1b1b; background: #fff; margin: 0; overflow-wrap: break-word; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.8rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #0072B2; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.95rem; color: #333; }
.scroll { overflow-x: auto; max-width: 100%; margin: 1rem 0; }
.scroll:focus { outline: 3px solid #0072B2; }
table { border-collapse: collapse; font-size: 0.9rem; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
td.text, th.text { text-align: left; } td.text:first-child { min-width: 9rem; }
.caveat { background: #fff4e5; border-left: 4px solid #E69F00; padding: 0.5rem 1rem; }
.note { color: #444; font-size: 0.9rem; }
.plain { background: #eef6fb; border-left: 4px solid #0072B2; padding: 0.5rem 1rem; }
dl.provenance { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: 0.2rem 1rem; }
dl.provenance dt { font-weight: bold; } dl.provenance dd { margin: 0; min-width: 0; }
dl.provenance pre { white-space: pre-wrap; margin: 0; font-size: 0.85rem; }
@media (max-width: 40rem) { dl.provenance { grid-template-columns: 1fr; } main { padding: 0.75rem; } }
"""

TEXT_CLASS = " class='text'"


def esc(text: Any) -> str:
    """HTML-escaped text (quotes too)."""
    return html.escape(str(text), quote=True)


def figure_html(figure: Figure, caption: str) -> str:
    """A figure as an embedded PNG (data: URI) with its caption as alt text and figcaption."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{encoded}" alt="{esc(caption)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def paragraphs(sentences: Iterable[str]) -> str:
    """Each sentence (already HTML) as a paragraph."""
    return "".join(f"<p>{sentence}</p>" for sentence in sentences)


def table_html(frame: pd.DataFrame, columns: Sequence[tuple[str, str, str]], caption: str) -> str:
    """A table of `frame`'s `columns` (key, heading, style) in a sideways-scrolling container.

    Styles: ``text`` (escaped), ``html`` (already HTML), ``int``, ``money``, ``p``, ``pct``,
    ``s<n>`` (signed, n decimals) or ``<n>`` (n decimals). Blank cells stay blank.
    """
    head = "".join(
        f"<th scope='col'{TEXT_CLASS if style in ('text', 'html') else ''}>{esc(title)}</th>"
        for _key, title, style in columns
    )
    body = []
    for record in frame.to_dict("records"):
        cells = []
        for key, _title, style in columns:
            css = TEXT_CLASS if style in ("text", "html") else ""
            cells.append(f"<td{css}>{format_cell(record.get(key), style)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<div class='scroll' role='region' aria-label='{esc(caption)}' tabindex='0'><table>"
        f"<caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def blank(value: Any) -> bool:
    """True for None, NaN and pd.NA."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_cell(value: Any, style: str) -> str:
    """One table cell's HTML."""
    if blank(value):
        return ""
    if style == "html":
        return str(value)
    if style == "text":
        return esc(str(value))
    number = float(value)
    if style == "int":
        return f"{int(number):,}"
    if style == "money":
        return f"{number:,.0f}"
    if style == "pct":
        return f"{number:.0%}"
    if style == "p":
        return "<0.001" if number < 0.001 else f"{number:.3f}"
    if style.startswith("s"):
        return f"{number:+.{int(style[1:])}f}"
    return f"{number:,.{int(style)}f}"


def signed(value: float, decimals: int = 1) -> str:
    """+1.2 / -0.3."""
    return f"{value:+.{decimals}f}"


def points_phrase(value: float, decimals: int = 1) -> str:
    """'1.2 points higher than' / 'about the same as'."""
    if not math.isfinite(value):
        return "not estimated relative to"
    if abs(value) < 0.5 * 10**-decimals:
        return "about the same as"
    return f"{abs(value):.{decimals}f} points {'higher than' if value > 0 else 'lower than'}"


def change_phrase(value: float) -> str:
    """'1.2 points higher' / 'about the same'."""
    if abs(value) < 0.05:
        return "about the same"
    return f"{abs(value):.1f} points {'higher' if value > 0 else 'lower'}"


def clear_phrase(low: float, high: float, what: str) -> str:
    """Whether an interval excludes zero, in words."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"the {what} could not be estimated"
    if low > 0 or high < 0:
        return f"the {what} is unlikely to be chance alone"
    return f"the {what} could be chance"


def money(value: float) -> str:
    """£ amount in words-friendly precision: '£133.8 million', '£12,300', '-£4,000'."""
    if blank(value) or not math.isfinite(float(value)):
        return "not known"
    value = float(value)
    sign = "-" if value < 0 else ""
    if abs(value) >= 1e6:  # no false precision in sentences: "£133.8 million", not "£133,823,965"
        return f"{sign}£{abs(value) / 1e6:,.1f} million"
    if abs(value) >= 1e4:
        return f"{sign}£{round(abs(value), -2):,.0f}"
    return f"{sign}£{abs(value):,.0f}"


def count_phrase(count: Any, threshold: int, noun: str) -> str:
    """'120 users', or 'fewer than 10 users' when the count is small (never the small number)."""
    if blank(count):
        return f"an undisclosed number of {noun}s"
    number = int(count)
    if 0 < number < threshold:
        return f"fewer than {threshold} {noun}s"
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


_COUNTED = re.compile(r"\b(\d[\d,]*) (people|persons?|users?|non-users?|respondents?|responses?)\b")


def suppress_counts(text: str, threshold: int) -> str:
    """Text with every small count of people ('3 users') replaced by 'fewer than <threshold> users'."""

    def replace(match: re.Match[str]) -> str:
        number = int(match.group(1).replace(",", ""))
        if 0 < number < threshold:
            noun = match.group(2)
            plural = noun if noun.endswith(("s", "people")) else noun + "s"
            return f"fewer than {threshold} {plural}"
        return match.group(0)

    return _COUNTED.sub(replace, text)

"""The report's tables: which columns of a result table, their headings and how each cell is written.

`table` gives the template (``macros.html.j2``) a caption, headings and the written cells;
the template puts them in a sideways-scrolling container, so a wide table scrolls on a phone
while the page itself never does (at 1280 px they fit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from markupsafe import Markup

from analysis.report.phrases import blank

TEXT_STYLES = ("text", "html")


@dataclass(frozen=True)
class Column:
    """A column heading; `text` columns are aligned left."""

    title: str
    text: bool


@dataclass(frozen=True)
class Cell:
    """A written cell: plain text (escaped by the template) or `Markup` for the ``html`` style."""

    value: str
    text: bool


@dataclass(frozen=True)
class Table:
    """What the template's ``table`` macro draws."""

    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


def table(frame: pd.DataFrame, columns: Sequence[tuple[str, str, str]], caption: str) -> Table:
    """A table of `frame`'s `columns` (key, heading, style).

    Styles: ``text`` (escaped), ``html`` (already `Markup`), ``int``, ``money``, ``p``, ``pct``,
    ``s<n>`` (signed, n decimals) or ``<n>`` (n decimals). Blank cells stay blank.
    """
    rows = tuple(
        tuple(Cell(format_cell(record.get(key), style), style in TEXT_STYLES) for key, _title, style in columns)
        for record in frame.to_dict("records")
    )
    headings = tuple(Column(title, style in TEXT_STYLES) for _key, title, style in columns)
    return Table(caption, headings, rows)


def format_cell(value: Any, style: str) -> str:
    """One table cell, written; `Markup` for the ``html`` style, plain text otherwise."""
    if blank(value):
        return ""
    if style == "html":
        return Markup(value)
    if style == "text":
        return str(value)
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

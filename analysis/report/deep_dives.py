"""Report text on deep-dive interviews: per asset, how many coded excerpts and interviews, and a few quotes.

From `analysis.deep_dive_quotes` (the app passes counts and the quotes of participants who agreed to
quotation, named by a code). The section says plainly what the quotes are: illustrations chosen by
consent and by order, not a representative sample and not evidence of an effect. Its template is
``templates/sections/deep_dives.html.j2``; it is left out when the result carries no counts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from analysis.dataset import records
from analysis.deep_dive_quotes import REPORT_QUOTES
from analysis.report.names import Names
from analysis.report.tables import table
from analysis.report.templating import Context
from analysis.result import AnalysisTables


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def counts_sentence(row: dict[str, Any]) -> str:
    """``3 excerpts from 2 interviews code this asset (2 may be quoted).``"""
    excerpts, interviews, quotable = int(row["excerpts"]), int(row["interviews"]), int(row["quotable"])
    verb = "codes" if excerpts == 1 else "code"
    return (
        f"{_plural(excerpts, 'excerpt')} from {_plural(interviews, 'interview')} {verb} this asset "
        f"({quotable} may be quoted)."
    )


def attribution(row: dict[str, Any]) -> str:
    """``participant DOV-07, interviewed 12 March 2026`` (``held_on`` is checked as YYYY-MM-DD)."""
    held = date.fromisoformat(str(row["held_on"]))
    return f"participant {row['participant']}, interviewed {held.day} {held:%B %Y}"


def deep_dive_section(result: AnalysisTables, names: Names) -> Context | None:
    """A counts table, then per asset its counts and at most ``REPORT_QUOTES`` quotes, with the caveats."""
    counts = result.deep_dive_counts
    if counts is None or not len(counts):
        return None
    quotes = result.deep_dive_quotes if result.deep_dive_quotes is not None else pd.DataFrame()
    assets = []
    for row in records(counts):
        mine = (
            quotes[(quotes["community"] == row["community"]) & (quotes["asset"] == row["asset"])]
            if len(quotes)
            else quotes
        )
        assets.append(
            {
                "name": names.asset(row["asset"]),
                "community": names.community(row["community"]),
                "sentence": counts_sentence(row),
                "quotes": [
                    {"text": quote["text"], "attribution": attribution(quote), "synthetic": bool(quote["synthetic"])}
                    for quote in records(mine.head(REPORT_QUOTES))
                ],
            }
        )
    # Counts are shown whole, never blanked under the disclosure threshold: that rule guards survey
    # respondents' answers, while these count excerpts and interviews of people who took part under a
    # pseudonymous code and consented (as the workshop section's participants), beside quotes they agreed to.
    shown = pd.DataFrame(
        [
            {**row, "name": names.asset(row["asset"]), "place": names.community(row["community"])}
            for row in records(counts)
        ]
    )
    sentences = [
        f"Researchers coded excerpts of deep-dive interviews with residents to the assets they speak of; "
        f"{_plural(len(counts), 'asset')} below {'has' if len(counts) == 1 else 'have'} at least one. Each asset "
        "shows how many excerpts code it, from how many interviews, and how many of those excerpts may be quoted.",
        "The quotes illustrate; they are not evidence that an asset has an effect. They are chosen by consent and "
        f"by order (only participants who agreed to be quoted, earliest interview first, {REPORT_QUOTES} at most), "
        "not to represent the community. Participants are named by a code, never by name; words marked "
        "synthetic are made up for a demonstration.",
    ]
    return {
        "sentences": sentences,
        "table": table(
            shown,
            [
                ("name", "Asset", "text"),
                ("place", "Community", "text"),
                ("excerpts", "Excerpts", "int"),
                ("interviews", "Interviews", "int"),
                ("quotable", "Excerpts that may be quoted", "int"),
            ],
            "Deep-dive interview excerpts coded to each asset",
        ),
        "assets": assets,
    }

"""Small counts of people kept out of what is written (statistical disclosure control).

The tables in memory keep every count (the valuation needs the users of each asset); the files a
run writes, which leave the research team, hide a count of people below the disclosure threshold
as the report and the profile pack do: `asset_use` and the descriptives blank their small cells
themselves, and `written` blanks the users counted in the effect and value tables and rewrites
small counts in their notes.
"""

from __future__ import annotations

import re

import pandas as pd

_COUNTED = re.compile(r"\b(\d[\d,]*) (people|persons?|users?|non-users?|respondents?|responses?)\b")
USER_COUNT_COLUMNS = ("n_users",)
NOTE_COLUMNS = ("warning", "users_note", "caveat")


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


def written(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """`table` as a file may show it: users counted below `threshold` blank, small counts in notes rewritten."""
    out = table.copy()
    for column in USER_COUNT_COLUMNS:
        if column in out:
            counts = pd.to_numeric(out[column], errors="coerce")
            out[column] = counts.astype("Int64").mask((counts > 0) & (counts < threshold))
    for column in NOTE_COLUMNS:
        if column in out:
            out[column] = [
                suppress_counts(value, threshold) if isinstance(value, str) else value for value in out[column]
            ]
    return out

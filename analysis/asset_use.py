"""How often each asset is used and how much it matters, per asset (each in its own community).

``asset_use.csv``: one row per asset. Counts come from the respondents of the asset's community
who answered its frequency question (``asset_<slug>``, codes 0-4); a user is anyone with a
frequency of 1 or more. Importance (``asset_<slug>_value``, codes 1-5, optional) is summarised for
users and non-users apart. Labels of the codes come from the ``asset_use`` instrument definition.

Disclosure control, with ``config.disclosure_threshold`` = t (counts 1 to t - 1 are small; a zero
is shown): a whole row is blank when fewer than t people answered; users and their share are
blank when users or non-users are few (either one gives the other away from the total shown); a
distribution (five frequency codes, or five importance codes of one group) is blanked whole when
any of its cells is small, so that no blank cell can be worked out from the others and the total;
an importance mean and count are blank when fewer than t in that group answered. ``suppressed`` is
1 when anything in the row was blanked.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

import instruments
from analysis.columns import asset_column, asset_value_column
from analysis.config import AnalysisConfig
from analysis.dataset import records

FREQUENCY_CODES = (0, 1, 2, 3, 4)
IMPORTANCE_CODES = (1, 2, 3, 4, 5)
GROUPS = ("users", "non_users")
IDENTITY = ("asset", "name", "community", "community_name", "kind")


def frequency_labels() -> dict[int, str]:
    """Code -> label of the frequency question, from the instrument definition."""
    template = instruments.get("asset_use").item_templates[0]
    return {option.code: option.label for option in template.options}


def importance_labels() -> dict[int, str]:
    """Code -> label of the importance question, from the instrument definition."""
    template = instruments.get("asset_use").item_templates[1]
    return {option.code: option.label for option in template.options}


def asset_use_columns() -> list[str]:
    """The columns of ``asset_use.csv``, in order."""
    columns = ["asset", "name", "community", "community_name", "kind", "asked", "users", "user_share"]
    for code in FREQUENCY_CODES:
        columns += [f"frequency_{code}_count", f"frequency_{code}_share"]
    for group in GROUPS:
        columns += [f"importance_{group}_n", f"importance_{group}_mean"]
        for code in IMPORTANCE_CODES:
            columns += [f"importance_{group}_{code}_count", f"importance_{group}_{code}_share"]
    return [*columns, "suppressed"]


def asset_use(responses: pd.DataFrame, assets: pd.DataFrame, config: AnalysisConfig) -> pd.DataFrame:
    """``asset_use.csv``: use and importance of every asset among the respondents of its community.

    Parameters
    ----------
    responses
        A prepared responses table (``community``, ``asset_<slug>``, ``asset_<slug>_value``).
    assets
        The assets table (``slug``, ``name``, ``kind``, ``community``, optional ``community_name``).
    config
        Uses ``disclosure_threshold``.

    Returns
    -------
    pandas.DataFrame
        Columns `asset_use_columns()`: ``asked`` (answered the frequency question), ``users``
        (frequency 1-4) and ``user_share``; ``frequency_<code>_count`` / ``_share`` (share of
        ``asked``) for codes 0-4; per group (``users``, ``non_users``) ``importance_<group>_n``
        (answered the importance question), ``_mean`` (1-5) and ``_<code>_count`` / ``_share``
        (share of that n); ``suppressed`` (0/1). Labels: `frequency_labels`, `importance_labels`.
    """
    threshold = int(config.disclosure_threshold)
    by_community = {str(name): frame for name, frame in responses.groupby("community", sort=False)}
    rows = []
    for asset in records(assets):
        slug = str(asset["slug"])
        community = str(asset["community"])
        asked_rows = by_community.get(community, responses.iloc[:0])
        frequency = _column(asked_rows, asset_column(slug))
        importance = _column(asked_rows, asset_value_column(slug))
        community_name = asset.get("community_name")
        row: dict[str, Any] = {
            "asset": slug,
            "name": str(asset["name"]),
            "community": community,
            "community_name": str(community_name) if _present(community_name) else "",
            "kind": str(asset["kind"]),
        }
        use, blanked = _use_counts(frequency.dropna().to_numpy(), threshold)
        row.update(use)
        for group, chosen in (("users", frequency >= 1), ("non_users", frequency == 0)):
            summary, hidden = _importance(group, importance[chosen.to_numpy()].dropna().to_numpy(), threshold)
            row.update(summary)
            blanked = blanked or hidden
        if _small(row["asked"], threshold):
            row = {key: (value if key in IDENTITY else None) for key, value in row.items()}
            blanked = True
        row["suppressed"] = int(blanked)
        rows.append(row)
    table = pd.DataFrame(rows, columns=asset_use_columns())
    table["suppressed"] = table["suppressed"].astype("int64")
    for column in table.columns:
        if column.endswith(("_count", "_n")) or column in ("asked", "users"):
            table[column] = table[column].astype("Int64")
        elif column.endswith(("_share", "_mean")):
            table[column] = table[column].astype("float64")
    return table


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return frame[column].astype("float64")


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and str(value).strip() != ""


def _small(count: int, threshold: int) -> bool:
    return 0 < count < threshold


def _use_counts(values: np.ndarray, threshold: int) -> tuple[dict[str, Any], bool]:
    asked = len(values)
    counts = {code: int((values == code).sum()) for code in FREQUENCY_CODES}
    users = asked - counts[0]
    out: dict[str, Any] = {"asked": asked}
    blanked = False
    if _small(users, threshold) or _small(counts[0], threshold):
        out["users"], out["user_share"] = None, None
        blanked = True
    else:
        out["users"], out["user_share"] = users, (users / asked if asked else None)
    hide = any(_small(count, threshold) for count in counts.values())
    blanked = blanked or hide
    for code, count in counts.items():
        out[f"frequency_{code}_count"] = None if hide else count
        out[f"frequency_{code}_share"] = None if hide or not asked else count / asked
    return out, blanked


def _importance(group: str, values: np.ndarray, threshold: int) -> tuple[dict[str, Any], bool]:
    n = len(values)
    prefix = f"importance_{group}"
    counts = {code: int((values == code).sum()) for code in IMPORTANCE_CODES}
    out: dict[str, Any] = {}
    if _small(n, threshold):
        out[f"{prefix}_n"], out[f"{prefix}_mean"] = None, None
        hide = True
    else:
        out[f"{prefix}_n"], out[f"{prefix}_mean"] = n, (float(values.mean()) if n else None)
        hide = any(_small(count, threshold) for count in counts.values())
    for code, count in counts.items():
        out[f"{prefix}_{code}_count"] = None if hide else count
        out[f"{prefix}_{code}_share"] = None if hide or not n else count / n
    return out, hide

"""SROI adjustments per asset (deadweight, displacement, attribution, drop-off, years), with reasons.

``adjustments.csv`` has one row per asset: ``asset`` (slug), ``deadweight``, ``attribution``,
``displacement``, ``drop_off`` (fractions 0-1; blank = 0), ``years`` (a whole number >= 1;
blank = 1), ``reason`` (required), and optionally ``agreed_by`` and ``agreed_on``. Other columns
(e.g. ``campaign``) are kept. A row that says who agreed it (``agreed_by``, or the workshop that did,
``source``) counts as agreed: its asset's figures become *net*; an asset without such a row stays *gross*
(`analysis.valuation.asset_value`, with a warning for a row that names nobody).

The adjustments are judgements (Social Value UK, *A Guide to Social Return on Investment*, 2012):
each needs a reason and who agreed it. Deadweight here is the share of the survey association
judged not causal: the effect is already a difference from non-users, so the counterfactual is
not deducted twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.cells import DatasetError, blank_cells, numbers
from instruments.answers import quoted

FRACTIONS = ("deadweight", "attribution", "displacement", "drop_off")
ADJUSTMENT_COLUMNS = ("asset", *FRACTIONS, "years", "reason", "agreed_by", "agreed_on")
REQUIRED_COLUMNS = ("asset", *FRACTIONS, "years", "reason")


def empty_adjustments() -> pd.DataFrame:
    """An adjustments table with no rows: every asset is valued gross."""
    frame = pd.DataFrame({column: pd.Series(dtype="float64") for column in FRACTIONS})
    frame.insert(0, "asset", pd.Series(dtype=str))
    frame["years"] = pd.Series(dtype="int64")
    for column in ("reason", "agreed_by", "agreed_on"):
        frame[column] = pd.Series(dtype=object)
    return frame


def prepare_adjustments(frame: pd.DataFrame, *, origin: str = "adjustments") -> pd.DataFrame:
    """Check an adjustments table and return it typed; DatasetError names the row and column.

    Row numbers in messages count data rows (row 1 is the line after the header).
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise DatasetError(f"{origin}: missing column(s) {', '.join(repr(c) for c in missing)}")
    out = frame.copy().reset_index(drop=True)
    blank_asset = blank_cells(out["asset"])
    if blank_asset.any():
        raise DatasetError(f"{origin}: column 'asset', row {_first(blank_asset)}: must not be blank")
    out["asset"] = out["asset"].astype(str).str.strip()
    repeated = out["asset"].duplicated()
    if repeated.any():
        raise DatasetError(f"{origin}: column 'asset': {quoted(out['asset'][repeated].iloc[0])} appears more than once")
    for column in FRACTIONS:
        values = numbers(out, column, origin).fillna(0.0)
        bad = (values < 0) | (values > 1)
        if bad.any():
            raise DatasetError(
                f"{origin}: column {column!r}, row {_first(bad)}: must be a fraction from 0 to 1 (e.g. 0.25 for 25%)"
            )
        out[column] = values.astype("float64")
    years = numbers(out, "years", origin).fillna(1.0)
    bad = (years < 1) | (years != np.floor(years)) | (years > 100)
    if bad.any():
        raise DatasetError(f"{origin}: column 'years', row {_first(bad)}: must be a whole number from 1 to 100")
    out["years"] = years.astype("int64")
    no_reason = blank_cells(out["reason"])
    if no_reason.any():
        raise DatasetError(
            f"{origin}: column 'reason', row {_first(no_reason)}: every adjustment needs a reason (why this share?)"
        )
    out["reason"] = out["reason"].astype(str).str.strip()
    # `source` (where they were agreed, e.g. an impact workshop) is optional and kept only when given.
    for column in ("agreed_by", "agreed_on", *(["source"] if "source" in out else [])):
        if column not in out:
            out[column] = None
        text = out[column].astype(object).where(~blank_cells(out[column]), None)
        out[column] = text.map(lambda value: None if value is None else str(value).strip())
    extras = [column for column in out.columns if column not in ADJUSTMENT_COLUMNS]
    return out.loc[:, [*ADJUSTMENT_COLUMNS, *extras]]


def override_adjustments(stored: pd.DataFrame, given: pd.DataFrame, asset_slugs: Iterable[str]) -> pd.DataFrame:
    """`stored` adjustments with the rows of the assets `given` lists replaced by its rows.

    Raises DatasetError when `given` names an asset that is not among `asset_slugs` (a typo, or
    an asset outside the report's selection), so an adjustment is never silently dropped.
    """
    check_assets(given, asset_slugs, origin="adjustments")
    given = given.assign(campaign=None) if "campaign" not in given else given
    kept = stored[~stored["asset"].isin(list(given["asset"]))]
    return pd.concat([kept, given], ignore_index=True) if len(kept) else given.reset_index(drop=True)


def check_assets(adjustments: pd.DataFrame, asset_slugs: Iterable[str], *, origin: str) -> None:
    """DatasetError naming the adjusted assets that are not in the assets table."""
    unknown = sorted(set(adjustments["asset"]) - set(asset_slugs))
    if unknown:
        shown = ", ".join(repr(slug) for slug in unknown[:5])
        raise DatasetError(f"{origin}: column 'asset': {shown} not among the assets analysed")


def read_adjustments(path: str | Path) -> pd.DataFrame:
    """Read and check ``adjustments.csv``."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DatasetError(f"{path}: not a readable CSV file ({error})") from None
    return prepare_adjustments(raw, origin=str(path))


def _first(mask: pd.Series) -> int:
    return int(np.argmax(mask.to_numpy())) + 1


def adjustment_factor(
    deadweight: float, displacement: float, attribution: float, drop_off: float, years: int, rate: float
) -> float:
    """Net share of one year's gross value, summed over `years` with drop-off and discounting.

    ``(1 - deadweight)(1 - displacement)(1 - attribution) x sum_{t=0}^{years-1} ((1 - drop_off) / (1 + rate))^t``.
    """
    per_year = (1 - deadweight) * (1 - displacement) * (1 - attribution)
    ratio = (1 - drop_off) / (1 + rate)
    return per_year * sum(ratio**t for t in range(years))

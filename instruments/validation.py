"""Vectorised checks that item columns hold allowed codes, before scoring or import."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from instruments import answers
from instruments.loader import catalogue
from instruments.model import Instrument, Item

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class CodeError:
    """One invalid cell; `row` is 1-based (1 = the first data row, i.e. positional index + 1)."""

    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


class CodeErrorList(list[CodeError]):
    """The first invalid cells in row order; `total` counts every invalid cell found."""

    def __init__(self, errors: Iterable[CodeError] = (), total: int = 0) -> None:
        super().__init__(errors)
        self.total = total

    @property
    def truncated(self) -> bool:
        """True if more invalid cells were found than are listed."""
        return self.total > len(self)


def validate_codes(
    df: pd.DataFrame, instruments: Iterable[Instrument] | None = None, *, max_errors: int | None = 50
) -> CodeErrorList:
    """Check every choice and integer item column of `instruments` present in `df`.

    Missing values (None, NaN, NA) are fine. A choice item's value must equal one of its codes
    (``3`` and ``3.0`` and ``"3.0"`` count as 3); an integer item's value must be a whole number
    within min-max. Text items are not checked here (see `Item.check`). Default instruments: the
    whole catalogue. At most `max_errors` errors are listed, in row order (None: all);
    ``result.total`` counts them all.
    """
    if max_errors is not None and max_errors < 0:
        raise ValueError(f"max_errors must be None or at least 0, not {max_errors}")
    chosen = list(catalogue().values()) if instruments is None else list(instruments)
    definitions: dict[str, list[Item]] = {}
    for instrument in chosen:
        for item in instrument.items:
            if item.type != "text" and item.key in df.columns and item not in definitions.get(item.key, []):
                definitions.setdefault(item.key, []).append(item)
    limit = sys.maxsize if max_errors is None else max_errors
    total = 0
    candidates: list[tuple[int, int, str, Item]] = []  # (position, column order, column, item)
    for order, column in enumerate(col for col in df.columns if col in definitions):
        series = df[column]
        if isinstance(series, pd.DataFrame):
            raise ValueError(f"column {column!r} appears more than once")
        masks = [_bad_cells(series, item) for item in definitions[column]]
        bad = np.logical_or.reduce(masks)
        positions = np.flatnonzero(bad)
        total += len(positions)
        for position in positions[:limit]:  # the first `limit` in row order lie within these
            item = next(item for item, mask in zip(definitions[column], masks, strict=True) if mask[position])
            candidates.append((int(position), order, str(column), item))
    candidates.sort(key=lambda candidate: candidate[:2])
    errors = []
    for position, _, column, item in candidates[:limit]:
        value = df[column].iloc[position]
        errors.append(CodeError(position + 1, column, str(value), _message(item, value)))
    return CodeErrorList(errors, total)


def _bad_cells(series: pd.Series, item: Item) -> BoolArray:
    """Boolean array: True where a non-missing value is not an allowed answer to `item`."""
    values, present = answers.numeric_values(series)
    return present & ~item.allowed_mask(values)


def _message(item: Item, value: object) -> str:
    shown = str(value)
    if item.type == "choice":
        return answers.not_allowed_code(shown, item.codes)
    if answers.whole_number(value) is None:
        return answers.not_whole_number(shown)
    return answers.out_of_range(shown, item.min, item.max)

"""Paradata columns of the dataset (issue 13): checked and typed, and partial responses set aside.

``status`` is ``complete`` or ``partial`` (a partial response was never submitted: exports carry
them only on request). ``started_at`` (ISO 8601, UTC; for paper forms, when the
form was keyed), ``duration_seconds`` (submitted_at minus started_at, whole seconds; blank for
partial responses and paper forms),
``pages_saved`` (pages saved in the online or interview flow), ``resumed`` (0/1: the resident came
back with a resume code), ``wave`` (the campaign's round, 1 = first), ``interviewer``, ``keyer``
and ``second_keyer`` (staff pseudonyms such as ``S7KQ2M``, never names; the same person has the
same code in every export and in every one of those columns). Blank is "not recorded".

The analysis uses complete responses only: `drop_partial` removes the others and says how many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.cells import DatasetError, blank_cells, text_cells
from analysis.cells import numbers as _numbers
from analysis.columns import PARADATA_COLUMNS, RESPONSE_STATUSES
from instruments.answers import quoted

CODE_COLUMNS = ("interviewer", "keyer", "second_keyer")
# Whole-number columns and their smallest allowed value.
_COUNTS = {"duration_seconds": 0, "pages_saved": 0, "wave": 1}


def prepare_paradata(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    """The paradata columns of `frame` checked and typed; absent columns blank (status: complete)."""
    out = pd.DataFrame(index=frame.index)
    if "status" in frame:
        status = text_cells(frame["status"], lower=True)
        bad = ~status.isin(RESPONSE_STATUSES)
        if bad.any():
            row = int(np.argmax(bad.to_numpy()))
            raise DatasetError(
                f"{origin}: column 'status', row {row + 1}: {quoted(frame['status'].iloc[row])} is not one of "
                f"{', '.join(RESPONSE_STATUSES)}"
            )
        out["status"] = status.astype(str)
    else:  # a file from before paradata: it only ever held complete responses
        out["status"] = "complete"
    # One resolution whatever the source (pandas infers seconds from text, microseconds from a database).
    out["started_at"] = _timestamps(frame, origin).astype("datetime64[ns, UTC]")
    for column in ("duration_seconds", "pages_saved", "resumed", "wave"):
        if column not in frame:
            out[column] = pd.array([pd.NA] * len(frame), dtype="Int64")
            continue
        values = _numbers(frame, column, origin)
        if column == "resumed":
            bad = values.notna() & ~values.isin([0, 1])
            rule = "must be 0 or 1"
        else:
            bad = values.notna() & ((values < _COUNTS[column]) | (values != np.floor(values)))
            rule = f"must be a whole number of at least {_COUNTS[column]}"
        if bad.any():
            row = int(np.argmax(bad.to_numpy()))
            raise DatasetError(f"{origin}: column {column!r}, row {row + 1}: {rule}")
        out[column] = values.astype("Int64")
    for column in CODE_COLUMNS:
        if column not in frame:
            out[column] = None
            continue
        # Always object: a chunk without any code must not get another dtype than one with some.
        codes = text_cells(frame[column]).astype(object)
        out[column] = codes.where(codes.notna(), None)
    return out.loc[:, list(PARADATA_COLUMNS)]


def _timestamps(frame: pd.DataFrame, origin: str) -> pd.Series:
    if "started_at" not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    series = frame["started_at"]
    try:
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            return pd.to_datetime(series, utc=True)
        text = series.astype(object).where(~blank_cells(series), None)
        return pd.to_datetime(text, utc=True, format="ISO8601")
    except (ValueError, TypeError) as error:
        raise DatasetError(f"{origin}: column 'started_at': not an ISO 8601 date and time ({error})") from None


def drop_partial(responses: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The complete responses only, and how many partial ones were dropped."""
    if "status" not in responses:
        return responses, 0
    partial = responses["status"].astype(str).str.strip().str.lower() == "partial"
    return responses[~partial].reset_index(drop=True), int(partial.sum())

"""The CSV and xlsx choices of issue 13: missing answers as blanks or codes, answers as codes or labels.

`shaped` wraps an export source so its chunks come out as chosen; the writers stay as they are.
SPSS and Stata files always carry the codes, their labels and the missing-data codes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from analysis.columns import missing_code_labels
from instruments.answers import quoted
from survey.datasets.codebooks import value_labels
from survey.datasets.missing_codes import CodedSource, all_item_columns
from survey.datasets.sources import ExportError
from survey.models import EXPORT_LABELS, EXPORT_MISSING


def check_choices(missing: str, labels: str) -> None:
    if missing not in EXPORT_MISSING:
        raise ExportError(f"missing must be one of {', '.join(EXPORT_MISSING)}, not {quoted(missing)}")
    if labels not in EXPORT_LABELS:
        raise ExportError(f"labels must be one of {', '.join(EXPORT_LABELS)}, not {quoted(labels)}")


def shaped(source: Any, *, missing: str, labels: str) -> Any:
    """`source` with missing-data codes (``missing="codes"``) and/or value labels (``labels="labels"``)."""
    check_choices(missing, labels)
    if missing == "codes":
        source = CodedSource(source)
    if labels == "labels":
        source = LabelledSource(source, export_labels(source.columns, source.assets))
    return source


def export_labels(columns: list[str], assets: pd.DataFrame) -> dict[str, dict[int, str]]:
    """{column: {code: label}}: the answers' value labels, the missing-data codes' labels on items."""
    chosen = value_labels(columns, assets)
    for column in all_item_columns(columns, assets):
        chosen[column] = {**chosen.get(column, {}), **missing_code_labels()}
    return chosen


class LabelledSource:
    """An export source whose coded columns hold their labels (text) instead of the codes."""

    def __init__(self, source: Any, labels: Mapping[str, Mapping[int, str]]) -> None:
        self._source = source
        self._labels = labels

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    def chunks(self, size: int = 5000) -> Iterator[pd.DataFrame]:
        for chunk in self._source.chunks(size):
            out = chunk.copy()
            for column, table in self._labels.items():
                if column in out:
                    # A number without a label (e.g. years in the area) keeps its number, as text.
                    out[column] = out[column].map(
                        lambda value, table=table: None if pd.isna(value) else table.get(int(value), str(value))
                    )
                    out[column] = out[column].astype(object)
            yield out

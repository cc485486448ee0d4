"""The choices one export is written with (format, content, missing answers, labels) and what follows from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from survey.datasets.datapackage import datapackage
from survey.datasets.shaping import export_labels, shaped
from survey.datasets.sources import adjustments_table, assets_table, campaigns_table


@dataclass(frozen=True)
class Options:
    format: str
    content: str = "both"
    missing: str = "blank"  # CSV and xlsx: "blank" or "codes"
    labels: str = "codes"  # CSV and xlsx: "codes" or "labels"

    def shape(self, source: Any) -> Any:
        """The source as the CSV or xlsx file shows it (SPSS and Stata are shaped by their writers)."""
        return shaped(source, missing=self.missing, labels=self.labels)

    def recorded(self) -> dict[str, str]:
        """The choices as provenance.json records them."""
        if self.format in ("sav", "dta"):
            return {"missing": "codes (user-missing / extended missing)", "labels": "codes with value labels"}
        return {"missing": self.missing, "labels": self.labels}

    def package(self, book: pd.DataFrame, source: Any, columns: list[str], record: dict[str, Any]) -> bytes:
        """``datapackage.json`` for this export."""
        headers = {
            "responses": columns,
            "assets": list(assets_table(source).columns),
            "campaigns": list(campaigns_table(source).columns),
            "adjustments": list(adjustments_table(source).columns),
        }
        return datapackage(
            book,
            export_labels(columns, source.assets),
            headers,
            format=self.format,
            missing=self.missing,
            value_labels=self.labels,
            record=record,
        )

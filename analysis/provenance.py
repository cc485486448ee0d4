"""What a report was built from: software, settings, adjustments, data checksum, filters, seed, when."""

from __future__ import annotations

import dataclasses
import hashlib
import platform
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import pandas as pd

from analysis.dataset import Dataset, records

# The analysis code's own version: bump it when a change alters any number the report prints.
ANALYSIS_VERSION = "2.0.0"
LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels")


def data_sha256(dataset: Dataset) -> str:
    """SHA-256 of the dataset as analysed: its column names and pandas' row hashes of responses,
    assets, campaigns and adjustments (values and types), so the same data gives the same checksum.
    """
    digest = hashlib.sha256()
    for frame in (dataset.responses, dataset.assets, dataset.campaigns, dataset.adjustments):
        digest.update(",".join(map(str, frame.columns)).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def build_provenance(dataset: Dataset, config: Any, filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The provenance record written as ``provenance.json`` beside every report."""
    settings = {
        field.name: getattr(config, field.name)
        for field in dataclasses.fields(config)
        if field.name not in ("deflators", "seed", "draws")
    }
    deflators = config.deflators
    return {
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": {
            "analysis": ANALYSIS_VERSION,
            "python": platform.python_version(),
            **{name: metadata.version(name) for name in LIBRARIES},
        },
        "settings": settings,
        "deflators": None
        if deflators is None
        else {"source": deflators.source, "index": {str(year): value for year, value in deflators.index.items()}},
        "monte_carlo": {"seed": config.seed, "draws": config.draws},
        "filters": dict(filters or {}),
        "verified_only": bool((filters or {}).get("verified_only", False)),
        "adjustments": [_plain(row) for row in records(dataset.adjustments)],
        "data_sha256": data_sha256(dataset),
        "rows": {
            "responses": len(dataset.responses),
            "assets": len(dataset.assets),
            "campaigns": len(dataset.campaigns),
            "adjustments": len(dataset.adjustments),
        },
    }


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready values: numpy scalars to Python, missing to None."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out[key] = None
        elif hasattr(value, "item"):
            out[key] = value.item()
        else:
            out[key] = value
    return out

"""Assets as places: the figures a map shows per asset, and an RFC 7946 GeoJSON FeatureCollection.

No Flask, no database: the web app's map pages, its GeoJSON endpoint and the export zip pass in
plain records, so a notebook can build the same file from a downloaded asset table.

The figures come from a stored profile run (`analysis.profile.profile_snapshot`): per asset, the
share of respondents who use it (``assets[slug]["use"]["user_share"]``, blank when suppressed as a
small cell) and the grade of the evidence that it goes with higher wellbeing
(``assets[slug]["valued"]["evidence"]``, `analysis.evidence_grades.EVIDENCE_GRADES`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from analysis.evidence_grades import EVIDENCE_GRADES

# The properties of every feature, in this order (the GeoJSON endpoint's and the export's documentation).
FEATURE_PROPERTIES = ("slug", "name", "kind", "community", "location", "postcode", "user_share", "evidence")


@dataclass(frozen=True)
class MapFigures:
    """What the map shows of one asset from the latest analysis: None where unknown or suppressed."""

    user_share: float | None = None
    evidence: str | None = None


def map_figures(figures: Mapping[str, Any] | None) -> dict[str, MapFigures]:
    """Slug -> `MapFigures` from a stored `profile_snapshot` (None or a run without assets: {})."""
    found: dict[str, MapFigures] = {}
    for slug, profile in ((figures or {}).get("assets") or {}).items():
        share = ((profile.get("use") or {}).get("user_share")) if isinstance(profile, Mapping) else None
        grade = ((profile.get("valued") or {}).get("evidence")) if isinstance(profile, Mapping) else None
        found[str(slug)] = MapFigures(
            user_share=_number(share), evidence=str(grade) if grade in EVIDENCE_GRADES else None
        )
    return found


def is_located(latitude: Any, longitude: Any) -> bool:
    """True when both coordinates are numbers within WGS 84's ranges (a point the map can place)."""
    lat, lon = _number(latitude), _number(longitude)
    return lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180


def feature_collection(assets: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The located assets as a GeoJSON FeatureCollection (RFC 7946).

    Each record has ``latitude`` and ``longitude`` (records without both are left out: a postcode
    alone is not a point) and the `FEATURE_PROPERTIES`; missing or blank properties become null.
    Positions are [longitude, latitude] in WGS 84, as RFC 7946 section 3.1.1 requires.
    """
    features = []
    for asset in assets:
        latitude, longitude = _number(asset.get("latitude")), _number(asset.get("longitude"))
        if latitude is None or longitude is None or not is_located(latitude, longitude):
            continue
        properties = {name: _plain(asset.get(name)) for name in FEATURE_PROPERTIES}
        features.append(
            {
                "type": "Feature",
                "id": str(asset["slug"]),
                "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _number(value: Any) -> float | None:
    """A finite number as a float, else None (blanks, NaN, text, booleans)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _plain(value: Any) -> Any:
    """JSON-ready: blanks and NaN as null, numbers as floats, everything else as text."""
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return str(value)

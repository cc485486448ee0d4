"""``assets.geojson`` in every export zip: the exported assets that have coordinates, as RFC 7946 GeoJSON.

Names, kinds and communities are those of ``assets.csv`` (the campaigns' copy); where each asset is
comes from the asset log as it stands (`DatasetReader.places`). An export read from a `Dataset` in
memory has no places and gets an empty collection. The map's users share and evidence grade are
left null here: they belong to an analysis run, not to the data, and the zip's analysis is the
user's own.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from analysis.asset_map import feature_collection
from survey.datasets.sources import Source

GEOJSON_FILE = "assets.geojson"


def export_geojson(source: Source) -> tuple[bytes, int]:
    """The file's bytes and its number of features."""
    places: pd.DataFrame | None = getattr(source, "places", None)
    records: list[dict[Any, Any]] = []
    if places is not None and not places.empty:
        named = source.assets.loc[:, ["slug", "name", "kind", "community"]]
        records = named.merge(places, on="slug", how="inner").to_dict("records")
    collection = feature_collection(records)
    return json.dumps(collection, ensure_ascii=False).encode("utf-8"), len(collection["features"])

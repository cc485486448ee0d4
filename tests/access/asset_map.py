"""Rules for the asset map's GeoJSON (issue 15): staff; a peer gets only their own communities' assets.

The matrix matches paths, not query strings: `?community=<another community>` answering 404 to a peer
is tested in tests/test_asset_map.py. The map itself is part of the asset log page (research.py).
"""

from __future__ import annotations

from tests.access import STAFF, Rule

RULES = [
    Rule("research.assets_geojson", "GET", "/research/assets.geojson", STAFF),
]

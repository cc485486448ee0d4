"""Assets as places: the rows of an asset map's table and its GeoJSON, with the latest stored figures.

Where the figures come from (a layering decision): the map's marker sizes (share of respondents
who use the asset) and colours (evidence grade) are those of the community's latest finished
analysis snapshot, the same row `survey.datasets.snapshots.current_snapshot` returns for the whole
community. This package is layer 1 and cannot import `survey.datasets` (layer 4), so this module
reads the `AnalysisSnapshot` row itself (the model is in `survey.models`, layer 0) with that one
query, and `analysis.asset_map.map_figures` reads the figures' JSON layout, which is defined next to
it in `analysis.profile.profile_snapshot`. The asset log page, the peers' asset list and the
GeoJSON endpoint all use `map_rows`, so the table and the markers always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select

from analysis.asset_map import MapFigures, feature_collection, is_located, map_figures
from analysis.evidence_grades import EVIDENCE_LABELS
from survey.assets.fields import KIND_LABELS
from survey.extensions import db
from survey.models import AnalysisSnapshot, Asset


@dataclass(frozen=True)
class MapRow:
    """One asset as the map and its table show it."""

    slug: str
    name: str
    kind: str
    community: str
    community_name: str
    location: str
    postcode: str
    latitude: float | None
    longitude: float | None
    user_share: float | None
    evidence: str | None

    @property
    def located(self) -> bool:
        return is_located(self.latitude, self.longitude)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def evidence_label(self) -> str:
        return EVIDENCE_LABELS.get(self.evidence or "", "Not known yet")


def latest_figures(community_ids: set[int]) -> dict[int, dict[str, MapFigures]]:
    """Per community, slug -> figures of its newest finished whole-community snapshot ({} if none)."""
    if not community_ids:
        return {}
    newest = (
        select(func.max(AnalysisSnapshot.id))
        .where(
            AnalysisSnapshot.community_id.in_(community_ids),
            AnalysisSnapshot.campaign_slug.is_(None),
            AnalysisSnapshot.status == "done",
        )
        .group_by(AnalysisSnapshot.community_id)
    )
    rows = db.session.execute(
        select(AnalysisSnapshot.community_id, AnalysisSnapshot.figures).where(AnalysisSnapshot.id.in_(newest))
    )
    found = {community_id: map_figures(figures) for community_id, figures in rows}
    return found


def map_rows(assets: Sequence[Asset]) -> list[MapRow]:
    """The assets in the given order with their latest figures (unknown until a snapshot is built)."""
    figures = latest_figures({asset.community_id for asset in assets})
    rows = []
    for asset in assets:
        known = figures.get(asset.community_id, {}).get(asset.slug, MapFigures())
        rows.append(
            MapRow(
                slug=asset.slug,
                name=asset.name,
                kind=asset.kind,
                community=asset.community.slug,
                community_name=asset.community.name,
                location=asset.location,
                postcode=asset.postcode,
                latitude=asset.latitude,
                longitude=asset.longitude,
                user_share=known.user_share,
                evidence=known.evidence,
            )
        )
    return rows


def geojson(rows: Sequence[MapRow]) -> dict[str, Any]:
    """The located rows as an RFC 7946 FeatureCollection (`analysis.asset_map.feature_collection`)."""
    return feature_collection(asdict(row) for row in rows)


def map_context(assets: Sequence[Asset]) -> dict[str, Any]:
    """What a page with the asset map (templates/_asset_map.html) renders: `map_rows` and their GeoJSON."""
    rows = map_rows(assets)
    return {"map_rows": rows, "map_geojson": geojson(rows)}

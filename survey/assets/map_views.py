"""The asset map's data: `/research/assets.geojson`, the located assets as RFC 7946 GeoJSON.

Staff only; peer researchers get their own communities' assets (another community answers 404, as
if it did not exist). The map pages embed the same collection in the page (`places.geojson`), so
this endpoint is for GIS tools and scripts: QGIS opens the URL from a signed-in browser's download.
"""

from __future__ import annotations

import json

from flask import request
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import STAFF, roles_required, scope_to_user
from survey.assets.places import geojson, map_rows
from survey.blueprints import research as bp
from survey.extensions import db
from survey.models import Asset, Community
from survey.web.lookups import community_or_404

GEOJSON_TYPE = "application/geo+json"  # RFC 7946 section 12


@bp.get("/assets.geojson")
@roles_required(*STAFF)
def assets_geojson() -> HTTPResponse:
    """The active, located assets of `?community=<slug>`, or of every community the user may see."""
    query = select(Asset).join(Community).where(Asset.retired.is_(False)).order_by(Community.slug, Asset.name)
    slug = request.args.get("community", "").strip()
    if slug:
        query = query.where(Asset.community_id == community_or_404(slug).id)
    else:
        query = scope_to_user(query, Asset.community_id, current_user)
    collection = geojson(map_rows(db.session.scalars(query).all()))
    return HTTPResponse(json.dumps(collection, ensure_ascii=False), mimetype=GEOJSON_TYPE)

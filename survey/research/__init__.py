"""Research blueprint: campaigns and their dashboards, communities, asset logs and nominations."""

from flask import Blueprint

bp = Blueprint("research", __name__, url_prefix="/research")

from . import (  # noqa: E402,F401  (register the routes)
    adjustment_views,
    asset_views,
    campaign_views,
    community_views,
    export_views,
    import_views,  # noqa: E402,F401  (responses import: upload, dry run, confirm)
    quota_views,
    report_views,
    views,
)

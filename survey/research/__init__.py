"""Research blueprint: campaigns and their dashboards, communities, asset logs and nominations."""

from flask import Blueprint

bp = Blueprint("research", __name__, url_prefix="/research")

from survey.research import (
    adjustment_views,
    asset_views,
    campaign_views,
    community_views,
    export_views,
    import_views,
    quota_views,
    report_views,
    views,
)

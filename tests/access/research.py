"""Rules for the research screens: researchers and admins only; peers and anonymous visitors are denied.

Object routes have one rule for the peer's own community and one for the other: a peer is
refused both (403), since the whole blueprint is closed to peers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from flask import current_app

from survey.campaigns.operations import create_campaign
from survey.datasets.reports import REPORT_FOLDER
from survey.extensions import db
from survey.models import Asset, ReportJob
from tests.access import RESEARCH, Rule


def build(world) -> None:
    """Drafts and assets of our own, so opening, retiring and editing do not disturb the shared rows."""
    for key, community in (("own", world.own), ("other", world.other)):
        draft = create_campaign(community, f"research-draft-{key}", f"Research draft ({key})", ["sixways"])
        world.ids[f"research_draft_{key}"] = draft.slug
        asset = Asset(slug=f"research_{key}_asset", community=community, name=f"Research asset {key}", kind="place")
        db.session.add(asset)
        world.ids[f"research_asset_{key}"] = asset.slug
    world.ids["report_job"] = finished_report_job()


def finished_report_job() -> int:
    """A finished report whose (empty) zip exists, so the download answers 200 when allowed."""
    # A fixed name, so repeated runs overwrite one tiny file instead of leaving one per run.
    report_file = f"{REPORT_FOLDER}/matrix-access-check.zip"
    path = Path(current_app.config["RESULTS_DIR"]) / report_file
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w"):
        pass
    finished = ReportJob(status="done", step="finished", progress=1.0, file_path=report_file)
    db.session.add(finished)
    db.session.flush()
    return finished.id


def _both(endpoint: str, method: str, template: str) -> list[Rule]:
    """One rule for the peer's own community's object and one for the other community's."""
    return [Rule(endpoint, method, template.format(key=key), RESEARCH) for key in ("own", "other")]


RULES = [
    Rule("research.home", "GET", "/research/", RESEARCH),
    Rule("research.new_campaign", "GET", "/research/campaigns/new", RESEARCH),
    Rule("research.new_campaign", "POST", "/research/campaigns/new", RESEARCH),
    *_both("research.campaign", "GET", "/research/campaigns/{{campaign_{key}}}"),
    *_both("research.campaign_qr", "GET", "/research/campaigns/{{campaign_{key}}}/qr.svg"),
    *_both("research.campaign_poster", "GET", "/research/campaigns/{{campaign_{key}}}/poster"),
    *_both("research.edit_campaign", "GET", "/research/campaigns/{{research_draft_{key}}}/edit"),
    *_both("research.edit_campaign", "POST", "/research/campaigns/{{research_draft_{key}}}/edit"),
    *_both("research.open_campaign", "POST", "/research/campaigns/{{research_draft_{key}}}/open"),
    # No confirmation box ticked: answers with a message and leaves the shared campaigns open.
    *_both("research.close_campaign", "POST", "/research/campaigns/{{campaign_{key}}}/close"),
    Rule("research.communities", "GET", "/research/communities", RESEARCH),
    Rule("research.new_community", "GET", "/research/communities/new", RESEARCH),
    Rule("research.new_community", "POST", "/research/communities/new", RESEARCH),
    *_both("research.edit_community", "GET", "/research/communities/{{community_{key}}}/edit"),
    *_both("research.edit_community", "POST", "/research/communities/{{community_{key}}}/edit"),
    *_both("research.assets", "GET", "/research/communities/{{community_{key}}}/assets"),
    *_both("research.new_asset", "GET", "/research/communities/{{community_{key}}}/assets/new"),
    *_both("research.new_asset", "POST", "/research/communities/{{community_{key}}}/assets/new"),
    *_both("research.export_assets_csv", "GET", "/research/communities/{{community_{key}}}/assets.csv"),
    *_both("research.import_assets_csv", "GET", "/research/communities/{{community_{key}}}/assets/import"),
    *_both("research.import_assets_csv", "POST", "/research/communities/{{community_{key}}}/assets/import"),
    *_both("research.confirm_import", "POST", "/research/communities/{{community_{key}}}/assets/import/confirm"),
    *_both("research.nominations", "GET", "/research/communities/{{community_{key}}}/nominations"),
    *_both("research.edit_asset", "GET", "/research/assets/{{research_asset_{key}}}/edit"),
    *_both("research.edit_asset", "POST", "/research/assets/{{research_asset_{key}}}/edit"),
    *_both("research.retire_asset", "POST", "/research/assets/{{research_asset_{key}}}/retire"),
    *_both("research.unretire_asset", "POST", "/research/assets/{{research_asset_{key}}}/unretire"),
    *_both("research.adjustments", "GET", "/research/campaigns/{{campaign_{key}}}/adjustments"),
    *_both("research.export_adjustments_csv", "GET", "/research/campaigns/{{campaign_{key}}}/adjustments.csv"),
    *_both("research.edit_adjustment", "GET", "/research/campaigns/{{campaign_{key}}}/adjustments/{{asset_{key}}}"),
    # No data: answers 422 with the messages, storing nothing.
    *_both("research.edit_adjustment", "POST", "/research/campaigns/{{campaign_{key}}}/adjustments/{{asset_{key}}}"),
    *_both(
        "research.remove_adjustments",
        "POST",
        "/research/campaigns/{{campaign_{key}}}/adjustments/{{asset_{key}}}/remove",
    ),
    *_both("research.upload_adjustments_csv", "POST", "/research/campaigns/{{campaign_{key}}}/adjustments/upload"),
    *_both(
        "research.confirm_adjustments_upload",
        "POST",
        "/research/campaigns/{{campaign_{key}}}/adjustments/upload/confirm",
    ),
    Rule("research.reports", "GET", "/research/reports", RESEARCH),
    # No scope chosen: refused with 400 before any job starts.
    Rule("research.start_report", "POST", "/research/reports", RESEARCH),
    Rule("research.report", "GET", "/research/reports/{report_job}", RESEARCH),
    Rule("research.download_report", "GET", "/research/reports/{report_job}/download", RESEARCH),
]

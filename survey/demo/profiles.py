"""Dover Town's asset profile figures, built as `flask demo` finishes, so `make run` shows a profile and
workshop cards with evidence at once instead of a "Prepare the figures" button."""

from __future__ import annotations

from sqlalchemy import select

from survey.datasets.snapshots import fresh_snapshot
from survey.demo.workshop import DEMO_COMMUNITY
from survey.extensions import db
from survey.models import Community


def add_demo_profiles() -> str:
    """Build (in this process, with the snapshot job's own build) and store Dover Town's figures
    unless current ones exist; commits. Returns a line for the command's output."""
    community = db.session.scalar(select(Community).filter_by(slug=DEMO_COMMUNITY))
    if community is None:
        return ""
    try:
        snapshot = fresh_snapshot(community, None)
    except ValueError as error:  # too little demo data for the models: the demo itself still stands
        db.session.rollback()
        return f"Dover Town's asset profiles were not built ({error}); prepare them from a profile page."
    return f"Dover Town's asset profiles are ready ({snapshot.responses} verified responses)."

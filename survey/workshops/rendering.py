"""What every workshop page (participants' and staff's) gets: the join code as shown, the asset kinds'
names, and each asset card's evidence from the community's profiles."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from survey.assets.operations import KIND_LABELS
from survey.datasets.profiles import card_evidence
from survey.models import Workshop
from survey.workshops.codes import display_code


def render_workshop_page(template: str, workshop: Workshop, **context: Any) -> str:
    return render_template(
        template,
        workshop=workshop,
        workshop_code=display_code(workshop.code),
        # Where participants join: the address they reach the app at, as `flask workshop open` prints it.
        join_url=f"{current_app.config['PUBLIC_BASE_URL']}/w",
        asset_kind_labels=KIND_LABELS,
        evidence_by_slug=card_evidence(workshop.community),
        **context,
    )

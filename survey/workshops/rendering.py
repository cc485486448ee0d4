"""What every workshop page (participants' and staff's) gets: the join code as shown, the asset kinds'
names, and each asset card's evidence from the community's profiles and one deep-dive quote.

No workshop-level switch for the quotes: the participant's quotation consent already covers workshop
cards (`survey.deepdives`), and a card without a quotable excerpt simply shows none."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from survey.assets.fields import KIND_LABELS
from survey.datasets.profiles import card_evidence
from survey.deepdives.quotes import card_quotes
from survey.models import Workshop
from survey.workshops.codes import display_code


def render_workshop_page(template: str, workshop: Workshop, **context: Any) -> str:
    """Render a workshop page with what every workshop page and its asset cards need."""
    quotes = card_quotes([link.asset_id for link in workshop.assets])
    return render_template(
        template,
        workshop=workshop,
        workshop_code=display_code(workshop.code),
        # Where participants join: the address they reach the app at, as `flask workshop open` prints it.
        join_url=f"{current_app.config['PUBLIC_BASE_URL']}/w",
        asset_kind_labels=KIND_LABELS,
        evidence_by_slug=card_evidence(workshop.community),
        # Read live like the profiles' quotes: an erased deep dive leaves the cards at once.
        quote_by_slug={link.asset.slug: quotes[link.asset_id] for link in workshop.assets if link.asset_id in quotes},
        **context,
    )

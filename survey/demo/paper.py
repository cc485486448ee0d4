"""Demo paper fieldwork: a batch per community, keyed forms, double entry and discrepancies.

Keyed through the same services the data-entry screens use, so the demo's paper
responses, entries, discrepancies and audit rows are exactly what real keying makes.
"""

from __future__ import annotations

import random

import numpy as np

from survey.audit.trail import acting_as
from survey.campaigns.operations import campaign_sections
from survey.demo.people import synthetic_person
from survey.models import Campaign, User
from survey.paper.operations import (
    Keyed,
    issue_batch,
    open_discrepancies,
    questionnaire_items,
    record_entry,
    resolve_discrepancies,
)

BATCH_SIZE = 10
KEYED_PER_BATCH = 8


def _keyed(values: dict[str, int | str], items: list) -> dict[str, Keyed]:
    return {item.key: Keyed(values[item.key]) if item.key in values else Keyed(None, "blank") for item in items}


def add_demo_paper(
    campaign: Campaign,
    peer: User,
    researcher: User,
    rng: np.random.Generator,
    *,
    discrepancy: str | None = None,
) -> None:
    """Issue a batch to `peer`, key most of it; `discrepancy` "resolved" or "open" plants one."""
    with acting_as(researcher.id, researcher.email):
        batch = issue_batch(campaign, peer, researcher, BATCH_SIZE, rng=random.Random(int(rng.integers(1 << 30))))
    sections = {section.key: section for section in campaign_sections(campaign)}
    items = questionnaire_items(list(sections.values()))
    planted = False
    for form in batch.forms[:KEYED_PER_BATCH]:
        values = synthetic_person(campaign, sections, rng)
        with acting_as(peer.id, peer.email):
            record_entry(form, peer, _keyed(values, items), 1)
        if not form.needs_double_entry:
            continue
        second = dict(values)
        if discrepancy and not planted:
            # A keying slip on one WEMWBS item: the second enterer read the box next to it.
            second["wemwbs_5"] = 1 if values["wemwbs_5"] != 1 else 2
            planted = True
        with acting_as(researcher.id, researcher.email):
            record_entry(form, researcher, _keyed(second, items), 2)
            if planted and discrepancy == "resolved" and open_discrepancies(form):
                (open_one,) = open_discrepancies(form)
                resolve_discrepancies(form, researcher, {open_one.id: Keyed(values["wemwbs_5"])})

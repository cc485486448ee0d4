"""Keying statistics: per enterer, entries made and how often their double-entered forms disagreed."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from survey.extensions import db
from survey.models import Discrepancy, PaperEntry, PaperForm, User


@dataclass(frozen=True)
class EntererStats:
    """One enterer's keying: entries made, and disagreements on the forms keyed twice."""

    user: User
    first_entries: int
    second_entries: int
    forms_compared: int
    items_compared: int
    discrepant_items: int
    errors_found: int  # resolved discrepancies where this person's entry was not the value chosen

    @property
    def discrepancy_rate(self) -> float | None:
        """Discrepant items / items compared over the double-entered forms this person keyed."""
        return self.discrepant_items / self.items_compared if self.items_compared else None


def entry_stats(campaign_id: int | None = None) -> list[EntererStats]:
    """Per enterer, over all paper forms (or one campaign's): counts, discrepancies and their rate."""
    query = select(PaperEntry).join(PaperForm, PaperEntry.form_id == PaperForm.id)
    discrepancy_query = select(Discrepancy).join(PaperForm, Discrepancy.form_id == PaperForm.id)
    if campaign_id is not None:
        query = query.where(PaperForm.campaign_id == campaign_id)
        discrepancy_query = discrepancy_query.where(PaperForm.campaign_id == campaign_id)
    by_form: dict[int, list[PaperEntry]] = defaultdict(list)
    for entry in db.session.scalars(query):
        by_form[entry.form_id].append(entry)
    discrepancies: dict[int, list[Discrepancy]] = defaultdict(list)
    for discrepancy in db.session.scalars(discrepancy_query):
        discrepancies[discrepancy.form_id].append(discrepancy)

    tally: dict[int, Counter[str]] = defaultdict(Counter)
    users: dict[int, User] = {}
    for form_id, entries in by_form.items():
        for entry in entries:
            users[entry.entered_by_id] = entry.entered_by
            tally[entry.entered_by_id]["first" if entry.entry_number == 1 else "second"] += 1
        if len(entries) < 2:
            continue
        first, second = sorted(entries, key=lambda e: e.entry_number)
        items = len(set(first.values) | set(second.values))
        for entry in (first, second):
            tally[entry.entered_by_id].update(forms=1, items=items, discrepant=len(discrepancies[form_id]))
        for discrepancy in discrepancies[form_id]:
            if not discrepancy.resolved:
                continue
            for entry, value in ((first, discrepancy.first_value), (second, discrepancy.second_value)):
                if value != discrepancy.resolved_value:
                    tally[entry.entered_by_id]["errors"] += 1
    rows = [
        EntererStats(
            user=users[user_id],
            first_entries=counts["first"],
            second_entries=counts["second"],
            forms_compared=counts["forms"],
            items_compared=counts["items"],
            discrepant_items=counts["discrepant"],
            errors_found=counts["errors"],
        )
        for user_id, counts in tally.items()
    ]
    return sorted(rows, key=lambda row: row.user.display_name.lower())

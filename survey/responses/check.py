""" "Check your answers": every question page's answers in words, with the page to change them on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from instruments import Instrument, Item
from survey.models import Campaign
from survey.responses.headings import Heading, page_heading
from survey.responses.operations import DECLINED
from survey.responses.pages import YES, first_incomplete_page, screen_key, survey_pages


@dataclass(frozen=True)
class SummaryRow:
    key: str
    question: str
    answer: str


@dataclass(frozen=True)
class SummaryPage:
    number: int
    heading: Heading
    rows: tuple[SummaryRow, ...]


@dataclass(frozen=True)
class AnswerSummary:
    groups: tuple[SummaryPage, ...]
    first_missing: int | None  # 1-based page still missing a required answer
    pages: int


def answer_text(item: Item, value: Any) -> str:
    if value is DECLINED:
        return "Prefer not to say"
    if value is None or value == "":
        return "Not answered"
    if item.type == "choice":
        try:
            return item.label_for(int(value))
        except (KeyError, ValueError):
            return str(value)
    return str(value)


def answer_summary(sections: Sequence[Instrument], values: Mapping[str, Any], campaign: Campaign) -> AnswerSummary:
    pages = survey_pages(sections, values)
    missing = first_incomplete_page(pages, values)
    groups = tuple(
        SummaryPage(
            number,
            page_heading(page, campaign),
            tuple(
                SummaryRow(item.key, item.text, answer_text(item, values.get(item.key)))
                for item in page.items
                if _asked(page.kind, item, values)
            ),
        )
        for number, page in enumerate(pages, start=1)
        if page.items
    )
    return AnswerSummary(groups, None if missing is None else missing + 1, len(pages))


def _asked(kind: str, item: Item, values: Mapping[str, Any]) -> bool:
    """On the asset page "How often" is asked only after "Yes"."""
    return kind != "assets" or not item.screener or values.get(screen_key(item)) == YES

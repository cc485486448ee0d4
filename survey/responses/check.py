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
    lead_in: str | None = None  # the words the questions finish ("... how often have you"), shown above them


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
            _lead_in(page.section),
        )
        for number, page in enumerate(pages, start=1)
        if page.items
    )
    return AnswerSummary(groups, None if missing is None else missing + 1, len(pages))


def _lead_in(section: Instrument) -> str | None:
    """A stem ending in an ellipsis is the start of every question on its page (six ways: "In the past
    two weeks, how often have you..." + "tried something new?"): without it the list shows fragments."""
    stem = section.stem.strip()
    return stem if stem.endswith(("...", "\u2026")) else None


def _asked(kind: str, item: Item, values: Mapping[str, Any]) -> bool:
    """On the asset page "How often" is asked only after "Yes"."""
    return kind != "assets" or not item.screener or values.get(screen_key(item)) == YES

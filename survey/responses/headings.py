"""Friendly page headings: what the page is about in plain words, with the scale's own name kept
visible as the caption above it (and its copyright notice under the questions)."""

from __future__ import annotations

from dataclasses import dataclass

from survey.models import Campaign
from survey.responses.pages import SurveyPage

_HEADINGS = {
    "ons4": "Your life nowadays",
    "wemwbs": "How you have been feeling",
    "swemwbs": "How you have been feeling",
    "sixways": "What you have been doing",
    "demographics": "About you",
}


@dataclass(frozen=True)
class Heading:
    text: str
    caption: str | None  # the instrument's own title, e.g. "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)"


def page_heading(page: SurveyPage, campaign: Campaign) -> Heading:
    section = page.section
    if page.kind == "assets":
        return Heading(f"Places, groups and services in {campaign.community.name}", None)
    text = _HEADINGS.get(section.key)
    if text is None or text == section.title:
        return Heading(section.title, None)
    return Heading(text, section.title)

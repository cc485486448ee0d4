"""The pages a questionnaire is asked on: one per instrument.

Asset use (version 2) asks, per asset, a forced-choice "Do you go to ...?" and, only after "Yes",
how often (with JavaScript the question appears under the answer; without it the page is shown
again with those questions, so the follow-ups are still asked only of users), and of everyone how
much the asset matters. "No" is stored as frequency 0 ("Never"), so the data keep the version 1
format. Instruments without screeners (asset_use version 1) are asked as they are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from instruments import Instrument, Item, Option

PageKind = Literal["section", "assets"]
YES, NO = 1, 0
SCREEN_OPTIONS = (Option(code=YES, label="Yes"), Option(code=NO, label="No"))


@dataclass(frozen=True)
class SurveyPage:
    """One page: `section` is the instrument it belongs to, `form` its questions as an instrument."""

    section: Instrument
    form: Instrument
    kind: PageKind = "section"
    users: tuple[str, ...] = ()  # asset page: item keys of the assets the stored answers say are used

    @property
    def items(self) -> tuple[Item, ...]:
        return self.form.items

    def asset_blocks(self) -> tuple[list[AssetBlock], list[Item]]:
        """Asset page: per asset its screener, how often (asked after "Yes") and how much it
        matters; then the remaining questions (nominations)."""
        by_key = {item.key: item for item in self.items}
        screened = [item for item in _screened(self.section)]
        blocks = [
            AssetBlock(
                screen=by_key[screen_key(item)],
                frequency=by_key[item.key],
                importance=by_key.get(f"{item.key}_value"),
                used=item.key in self.users,
            )
            for item in screened
        ]
        taken = {key for block in blocks for key in block.keys}
        return blocks, [item for item in self.items if item.key not in taken]


@dataclass(frozen=True)
class AssetBlock:
    screen: Item
    frequency: Item  # without "Never"; required only after "Yes"
    importance: Item | None
    used: bool  # the stored answer is "Yes": shown without JavaScript too

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.screen.key, self.frequency.key) + ((self.importance.key,) if self.importance else ())


def screen_key(item: Item) -> str:
    """The form field (never a data column: item keys have no hyphen) of an item's screener."""
    return f"{item.key}-uses"


def _screened(section: Instrument) -> list[Item]:
    return [item for item in section.items if item.screener]


@lru_cache(maxsize=1024)
def _asset_page(section: Instrument) -> Instrument:
    """Screener, how often (optional here: required only after "Yes", see `missing_followups`) and
    the rest, in the section's order."""
    items: list[Item] = []
    for item in section.items:
        if item.screener:
            items.append(
                Item(key=screen_key(item), text=item.screener, type="choice", options=SCREEN_OPTIONS, required=True)
            )
            items.append(dataclasses.replace(item, options=item.options[1:], required=False))
        else:
            items.append(item)
    return dataclasses.replace(section, items=tuple(items))


def missing_followups(page: SurveyPage, values: Mapping[str, Any]) -> list[Item]:
    """The "how often" questions still unanswered after a "Yes" on this page."""
    return [
        item
        for item in _screened(page.section)
        if values.get(screen_key(item)) == YES and values.get(item.key) in (None, "", 0)
    ]


def page_count(sections: Sequence[Instrument]) -> int:
    return len(sections)


def survey_pages(sections: Sequence[Instrument], values: Mapping[str, Any]) -> list[SurveyPage]:
    """Every page in order; the asset detail page depends on the screener answers in `values`."""
    pages = []
    for section in sections:
        screened = _screened(section)
        if not screened:
            pages.append(SurveyPage(section, section))
            continue
        users = tuple(item.key for item in screened if values.get(screen_key(item)) == YES)
        pages.append(SurveyPage(section, _asset_page(section), "assets", users))
    return pages


def first_incomplete_page(pages: Sequence[SurveyPage], values: Mapping[str, Any]) -> int | None:
    """Index of the first page with an unanswered required question, or None when all are done."""
    for index, page in enumerate(pages):
        if any(item.required and values.get(item.key) in (None, "") for item in page.items):
            return index
        if page.kind == "assets" and missing_followups(page, values):
            return index
    return None

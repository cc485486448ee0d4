"""What a data enterer types for each item of a paper form, read into values and missing reasons.

Every choice or number item needs an explicit entry, so an item the enterer skipped by
accident is never mistaken for one the respondent left blank:

- a choice item takes the code printed beside the ticked box (``3``);
- ``b`` = the respondent left the item **b**lank;
- ``m`` = **m**ore than one box was ticked (or, for a number, more than one number written);
- a number item takes the number written; a text item takes the words written, and may also be
  left empty when the respondent wrote nothing.

``b`` and ``m`` are reserved in every item, text items too (a one-letter free-text answer is
not plausible), so a keyed entry always reads back the same way. They become missing values
with the reason kept (Answer.missing_reason). Letters were chosen over numeric codes such as
8/9 or 98/99 because those collide with real answers (years in the area may be 98). The codes
are defined in survey.paper.operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from instruments import Item
from survey.paper.operations import BLANK, MULTIPLE, REASON_FOR_CODE, REASON_LABELS, Keyed
from survey.web.fields import whole_number


@dataclass
class KeyedForm:
    """A whole form as keyed: items, what was typed (to show again) and a message per bad item."""

    items: dict[str, Keyed] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _codes(item: Item) -> str:
    return ", ".join(str(code) for code in item.codes)


def read_item(item: Item, typed: str) -> Keyed:
    """Read one typed entry; ValueError with a message fit to show beside the item."""
    raw = " ".join(typed.split())  # trim and collapse runs of spaces: "The  park " == "The park"
    lowered = raw.lower()
    if item.type == "text" and lowered == "":
        return Keyed(None, "blank")
    if lowered in REASON_FOR_CODE:  # reserved in every item, text too, so a code always reads back the same
        return Keyed(None, REASON_FOR_CODE[lowered])
    if item.type == "text":
        text = raw.upper() if item.pattern else raw  # coded text (postcodes) is stored upper-case
        problem = item.check(text)
        if problem:
            raise ValueError(item.pattern_message or f"{problem[0].upper()}{problem[1:]}.")
        return Keyed(text)
    if item.type == "choice":
        if raw == "":
            raise ValueError(f"Type the code of the ticked box ({_codes(item)}), b if left blank, m if more than one.")
        if raw.isascii() and raw.isdigit() and int(raw) in item.codes:
            return Keyed(int(raw))
        raise ValueError(f"\u201c{raw}\u201d is not a code for this question: type {_codes(item)}, b or m.")
    if raw == "":
        raise ValueError("Type the number written, b if left blank, m if more than one.")
    number = whole_number(raw) if raw.isascii() else None
    if number is None:
        raise ValueError(f"\u201c{raw}\u201d is not a whole number: type the number written, b or m.")
    problem = item.check(number)
    if problem:
        raise ValueError(f"{raw} is not between {item.min} and {item.max}: check the form, or type m.")
    return Keyed(number)


def read_form(items: Iterable[Item], typed: Mapping[str, Any]) -> KeyedForm:
    """Read every item of a form from the submitted fields; items with problems go to `errors`."""
    keyed = KeyedForm()
    for item in items:
        raw = typed.get(item.key, "")
        raw = raw if isinstance(raw, str) else ""
        keyed.typed[item.key] = raw
        try:
            keyed.items[item.key] = read_item(item, raw)
        except ValueError as problem:
            keyed.errors[item.key] = str(problem)
    return keyed


def describe(item: Item, code: str | None) -> str:
    """A keyed code in words, for people comparing entries: ``3 – Some of the time``."""
    if code is None:
        return "(nothing)"
    if code in REASON_FOR_CODE:
        return f"{code} – {REASON_LABELS[REASON_FOR_CODE[code]]}"
    if item.type == "choice" and code.isdigit() and int(code) in item.codes:
        return f"{code} – {item.label_for(int(code))}"
    return code


def entry_codes(item: Item) -> list[str]:
    """Every complete entry for a choice item, for the entry screen's automatic move to the next item."""
    if item.type != "choice":
        return []
    return [str(code) for code in item.codes] + [BLANK, MULTIPLE]

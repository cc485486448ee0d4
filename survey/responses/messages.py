"""Error messages that name the question, as the GOV.UK Design System asks ("Select how often you go to
Swanley Park"), built from the question's own wording so every instrument gets one."""

from __future__ import annotations

import re

from instruments import Item

_DO_YOU = re.compile(r"^Do you (?P<rest>.+?)\??$")
_HOW_OFTEN = re.compile(r"^How often do you (?P<rest>.+?)\??$")
_HOW_MUCH = re.compile(r"^How much does (?P<what>.+?) matter to you\??$")
_HOW_MANY = re.compile(r"^How many (?P<what>\w+) have you (?P<rest>.+?)\??$")


def declined_field_key(item: Item) -> str:
    """The "Prefer not to say" checkbox beside a typed answer (never a data column: it has a hyphen)."""
    return f"{item.key}-declined"


def _quoted(text: str) -> str:
    return f"“{text.strip()}”"


def required_message(item: Item) -> str:
    """What to do when a required question is left unanswered, naming the question."""
    text = item.text.strip()
    if match := _DO_YOU.match(text):
        return f"Select yes if you {match['rest']}, or no if you do not"
    if match := _HOW_OFTEN.match(text):
        return f"Select how often you {match['rest']}"
    if match := _HOW_MUCH.match(text):
        return f"Select how much {match['what']} matters to you"
    if item.key.startswith("sixways_"):
        # Six ways items finish the stem "In the past two weeks, how often have you ...".
        return f"Select how often you have {text.rstrip('?')}"
    if item.type == "choice" and item.scale_anchors:
        low, high = item.scale_anchors
        return f"Select a number from {low.code} to {high.code} for {_quoted(text)}"
    if item.type == "choice":
        return f"Select an answer for {_quoted(text)}"
    if item.type == "integer":
        return invalid_number_message(item)
    return f"Enter an answer to {_quoted(text)}"


def invalid_number_message(item: Item) -> str:
    """What to type when a number is missing, not a whole number, or out of range."""
    bounds = f"a whole number from {item.min} to {item.max}"
    if match := _HOW_MANY.match(item.text.strip()):
        return f"Enter how many {match['what']} you have {match['rest']}, as {bounds}"
    return f"Enter {bounds} for {_quoted(item.text)}"

"""Where a coded excerpt lands when its transcript is edited (pure: no Flask, no database).

An excerpt keeps the words it was coded on (`Excerpt.text`) beside its offsets. After an edit:
- the words still at the same offsets: the excerpt stays as it is;
- the words found elsewhere: it moves to the occurrence nearest its old start (the earlier one
  on a tie), because an edit above it shifts it by a little, not to a far repeat of a phrase;
- the words gone: the excerpt and its codes are removed, and the page says how many codes went.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """An excerpt's place in the old transcript and its words."""

    start: int
    end: int
    text: str


def occurrences(text: str, words: str) -> list[int]:
    """Every start of `words` in `text`, overlapping ones included."""
    found: list[int] = []
    position = text.find(words)
    while position != -1:
        found.append(position)
        position = text.find(words, position + 1)
    return found


def reanchor(text: str, span: Span) -> tuple[int, int] | None:
    """The excerpt's (start, end) in the edited `text`, or None when its words are no longer there."""
    if not span.text:
        return None
    if text[span.start : span.end] == span.text:
        return span.start, span.end
    starts = occurrences(text, span.text)
    if not starts:
        return None
    nearest = min(starts, key=lambda start: (abs(start - span.start), start))
    return nearest, nearest + len(span.text)

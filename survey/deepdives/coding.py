"""Coding a deep dive: excerpts of its transcript (by paragraph or by character range) and their codes.

Offsets are characters of `DeepDive.transcript`, end exclusive, so `transcript[start:end]` is the
excerpt; surrounding whitespace is left out by moving the offsets, never by changing the text.
The same span of the same deep dive is one excerpt: coding it again adds the new codes to it
(a double-submitted form changes nothing the second time). Operations flush; the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from survey.assets.operations import FieldErrors
from survey.database import take_turns
from survey.deepdives.themes import campaign_themes, codebook_campaign, current_assets
from survey.extensions import db
from survey.models import SIXWAYS_DIMENSIONS, Asset, DeepDive, Excerpt, ExcerptCode, Theme, User

# Paragraphs are separated by a line holding nothing but spaces (\r\n as typed in a browser, or \n).
_PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t]*(?:\r?\n)+|\r[ \t]*\r")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Coding the same deep dive from two tabs at once must not make the same excerpt twice (PostgreSQL).
CODING_LOCK_BASE = 7_700_000_000
NO_CODE = "Choose at least one code: a six ways dimension, an asset or a theme."


@dataclass(frozen=True)
class Span:
    """Characters `start` to `end` (exclusive) of a transcript."""

    start: int
    end: int


@dataclass(frozen=True)
class Paragraph(Span):
    """One paragraph of a transcript: its number (from 1), its offsets and its text."""

    number: int
    text: str

    @property
    def value(self) -> str:
        """How a form names the paragraph: its offsets, so a transcript changed meanwhile is noticed."""
        return f"{self.start}-{self.end}"

    def lines(self) -> list[Span]:
        """The paragraph's lines as offsets into the transcript (the page shows each in its own element,
        so a browser's line-break handling never shifts the offsets the selection script reads)."""
        spans, position = [], self.start
        for match in _LINE_BREAK.finditer(self.text):
            spans.append(Span(position, self.start + match.start()))
            position = self.start + match.end()
        spans.append(Span(position, self.end))
        return spans


@dataclass(frozen=True)
class CodeChoice:
    """The codes chosen for an excerpt: six ways dimensions, assets and themes of the deep dive's codebook."""

    sixways: tuple[str, ...] = ()
    assets: tuple[Asset, ...] = ()
    themes: tuple[Theme, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sixways or self.assets or self.themes)


def paragraphs(transcript: str) -> list[Paragraph]:
    """The transcript split at blank lines, each paragraph trimmed of surrounding whitespace."""
    found: list[Paragraph] = []
    position = 0
    for match in [*_PARAGRAPH_BREAK.finditer(transcript), None]:
        end = match.start() if match is not None else len(transcript)
        span = trimmed(transcript, position, end)
        if span is not None:
            found.append(Paragraph(span.start, span.end, len(found) + 1, transcript[span.start : span.end]))
        if match is not None:
            position = match.end()
    return found


def trimmed(transcript: str, start: int, end: int) -> Span | None:
    """The span without its surrounding whitespace, or None if nothing else is in it."""
    text = transcript[start:end]
    stripped = text.lstrip()
    if not stripped:
        return None
    start += len(text) - len(stripped)
    return Span(start, start + len(stripped.rstrip()))


def check_range(transcript: str, start: int | None, end: int | None) -> Span:
    """A typed character range checked against the transcript and trimmed; FieldErrors naming the field."""
    if start is None or end is None:
        missing = "start" if start is None else "end"
        raise FieldErrors({missing: f"Enter the {missing} of the range as well, or leave both empty."})
    size = len(transcript)
    if not 0 <= start < size:
        raise FieldErrors(
            {"start": f"The start must be from 0 to {size - 1}, within the transcript's {size} characters."}
        )
    if not 0 < end <= size:
        raise FieldErrors({"end": f"The end must be from 1 to {size}, within the transcript's {size} characters."})
    if end <= start:
        raise FieldErrors({"end": "The end must be after the start."})
    span = trimmed(transcript, start, end)
    if span is None:
        raise FieldErrors({"end": "Those characters are only spaces or line breaks: choose a range with words in it."})
    return span


def chosen_paragraphs(transcript: str, values: Iterable[str]) -> list[Paragraph]:
    """The paragraphs a form ticked, by their offsets; FieldErrors if the transcript has changed since."""
    by_value = {paragraph.value: paragraph for paragraph in paragraphs(transcript)}
    chosen = [by_value.get(value) for value in dict.fromkeys(values)]
    if any(paragraph is None for paragraph in chosen):
        raise FieldErrors(
            {"paragraphs": "The transcript has changed since this page was opened: tick the paragraphs again."}
        )
    return sorted((p for p in chosen if p is not None), key=lambda p: p.start)


def combined(chosen: Sequence[Paragraph]) -> Span:
    """One span from the first chosen paragraph's start to the last one's end (any between included)."""
    return Span(min(p.start for p in chosen), max(p.end for p in chosen))


def offered_codes(deep_dive: DeepDive, excerpt: Excerpt | None = None) -> tuple[list[Asset], list[Theme]]:
    """The assets and themes a code may name: the community's current assets and the deep dive's
    codebook (`survey.deepdives.themes.codebook_campaign`), plus those `excerpt` already carries (a
    retired asset, another codebook's theme) so changing its other codes keeps them."""
    assets = current_assets(deep_dive.community)
    campaign = codebook_campaign(deep_dive)
    themes = campaign_themes(campaign)
    if excerpt is not None:
        assets += [c.asset for c in excerpt.codes if c.asset is not None and c.asset not in assets]
        themes += [c.theme for c in excerpt.codes if c.theme is not None and c.theme not in themes]
    return assets, themes


def code_choice(
    deep_dive: DeepDive,
    sixways: Iterable[str],
    asset_slugs: Iterable[str],
    theme_keys: Iterable[str],
    excerpt: Excerpt | None = None,
) -> CodeChoice:
    """The codes named by a form or a command, checked against `offered_codes`."""
    offered_assets, offered_themes = offered_codes(deep_dive, excerpt)
    problems = {}
    dimensions = set(sixways)
    if dimensions - set(SIXWAYS_DIMENSIONS):
        problems["sixways"] = "Choose six ways dimensions from the list."
    assets = {asset.slug: asset for asset in offered_assets}
    wanted_assets = set(asset_slugs)
    if wanted_assets - assets.keys():
        problems["assets"] = f"Choose assets of {deep_dive.community.name} from the list."
    themes = {theme.key: theme for theme in offered_themes}
    wanted_themes = set(theme_keys)
    if wanted_themes - themes.keys():
        problems["themes"] = "Choose themes from the list."
    if problems:
        raise FieldErrors(problems)
    return CodeChoice(
        tuple(d for d in SIXWAYS_DIMENSIONS if d in dimensions),
        tuple(asset for slug, asset in sorted(assets.items()) if slug in wanted_assets),
        tuple(theme for key, theme in sorted(themes.items()) if key in wanted_themes),
    )


def code_request(
    deep_dive: DeepDive,
    *,
    paragraph_values: Sequence[str],
    combine: bool,
    start: int | None,
    end: int | None,
    codes: tuple[Sequence[str], Sequence[str], Sequence[str]],
    user: User | None,
) -> list[Excerpt]:
    """Code what the coding form asked for: the ticked paragraphs (one excerpt each, or one spanning them
    when `combine`) or the typed range, with `codes` (six ways keys, asset slugs, theme keys). Every
    problem is found before anything is written and raised together as FieldErrors."""
    problems: dict[str, str] = {}
    spans: list[Span] = []
    ranged = start is not None or end is not None
    try:
        if not deep_dive.transcript.strip():
            raise FieldErrors({"paragraphs": "This deep dive has no transcript to code yet."})
        if paragraph_values and ranged:
            raise FieldErrors({"paragraphs": "Tick paragraphs or type a character range, not both."})
        if paragraph_values:
            chosen = chosen_paragraphs(deep_dive.transcript, paragraph_values)
            spans = [combined(chosen)] if combine else list(chosen)
        elif ranged:
            spans = [check_range(deep_dive.transcript, start, end)]
        else:
            raise FieldErrors({"paragraphs": "Tick at least one paragraph, or type a character range."})
    except FieldErrors as error:
        problems |= error.problems
    choice = CodeChoice()
    try:
        choice = code_choice(deep_dive, *codes)
    except FieldErrors as error:
        problems |= error.problems
    if not choice and not {"sixways", "assets", "themes"} & problems.keys():
        problems["sixways"] = NO_CODE
    if problems:
        raise FieldErrors(problems)
    return code_spans(deep_dive, spans, choice, user)


def code_spans(deep_dive: DeepDive, spans: Sequence[Span], codes: CodeChoice, user: User | None) -> list[Excerpt]:
    """An excerpt for each span (trimmed) with `codes`; a span already coded gets the codes it lacks."""
    if not codes:
        raise FieldErrors({"sixways": NO_CODE})
    take_turns(db.session, CODING_LOCK_BASE + deep_dive.id)
    excerpts = []
    for raw in spans:
        span = trimmed(deep_dive.transcript, raw.start, raw.end)
        if span is None:
            raise FieldErrors(
                {"end": "Those characters are only spaces or line breaks: choose a range with words in it."}
            )
        excerpt = db.session.scalar(
            select(Excerpt).filter_by(deep_dive_id=deep_dive.id, start=span.start, end=span.end)
        )
        if excerpt is None:
            text = deep_dive.transcript[span.start : span.end]
            excerpt = Excerpt(
                deep_dive=deep_dive, start=span.start, end=span.end, text=text, created_by_id=user.id if user else None
            )
            db.session.add(excerpt)
        _add_codes(excerpt, codes)
        excerpts.append(excerpt)
    db.session.flush()
    return excerpts


def _add_codes(excerpt: Excerpt, codes: CodeChoice) -> None:
    have = {(code.sixways, code.asset_id, code.theme_id) for code in excerpt.codes}
    wanted = [
        *((dimension, None, None) for dimension in codes.sixways),
        *((None, asset.id, None) for asset in codes.assets),
        *((None, None, theme.id) for theme in codes.themes),
    ]
    for sixways, asset_id, theme_id in wanted:
        if (sixways, asset_id, theme_id) not in have:
            excerpt.codes.append(ExcerptCode(sixways=sixways, asset_id=asset_id, theme_id=theme_id))


def set_codes(excerpt: Excerpt, codes: CodeChoice) -> Excerpt:
    """Make `codes` the excerpt's codes: new ones added, unticked ones removed (flushed)."""
    if not codes:
        raise FieldErrors({"sixways": "Choose at least one code, or delete the excerpt instead."})
    # The deep dive's turn, then its codes read again: of a double-clicked Save the second sees the
    # codes the first added (it added them again, and the unique constraint made that a 500).
    take_turns(db.session, CODING_LOCK_BASE + excerpt.deep_dive_id)
    db.session.refresh(excerpt, ["codes"])
    keep: set[tuple[str | None, int | None, int | None]] = {(d, None, None) for d in codes.sixways}
    keep |= {(None, asset.id, None) for asset in codes.assets}
    keep |= {(None, None, theme.id) for theme in codes.themes}
    excerpt.codes = [code for code in excerpt.codes if (code.sixways, code.asset_id, code.theme_id) in keep]
    _add_codes(excerpt, codes)
    db.session.flush()
    return excerpt


def delete_excerpt(deep_dive: DeepDive, excerpt_id: int) -> tuple[int, int] | None:
    """Delete one of the deep dive's excerpts and its codes (flushed); the transcript is untouched.

    Returns the excerpt's span, or None if it is not there. The deep dive's turn comes first, as
    for its codes: of a double-clicked Delete the second then finds it gone (on PostgreSQL it read
    the row before the first had deleted it, and its own DELETE matched nothing).
    """
    take_turns(db.session, CODING_LOCK_BASE + deep_dive.id)
    excerpt = db.session.scalar(select(Excerpt).filter_by(id=excerpt_id, deep_dive_id=deep_dive.id))
    if excerpt is None:
        return None
    span = (excerpt.start, excerpt.end)
    db.session.delete(excerpt)
    db.session.flush()
    return span


def is_anchored(excerpt: Excerpt) -> bool:
    """Whether the transcript still holds the excerpt's text at its offsets (an edit may have moved it)."""
    return excerpt.deep_dive.transcript[excerpt.start : excerpt.end] == excerpt.text


def coded_excerpts(deep_dive: DeepDive) -> list[Excerpt]:
    """The deep dive's excerpts in transcript order."""
    query = select(Excerpt).filter_by(deep_dive_id=deep_dive.id).order_by(Excerpt.start, Excerpt.end, Excerpt.id)
    return list(db.session.scalars(query))

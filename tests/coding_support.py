"""Builders for deep-dive tests: deep dives, themes and coded excerpts made with the models directly,
so tests of coding, retrieval and downloads need no recording pages. Call inside an app context."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from survey.extensions import db
from survey.models import Asset, Campaign, Community, DeepDive, Excerpt, ExcerptCode, Theme

# Three paragraphs: line breaks typed in a browser (\r\n), a paragraph of two lines, spaces around a
# blank line, and words a spreadsheet would run as a formula.
TRANSCRIPT = (
    "Interviewer asked about the library.\r\n\r\n"
    "  The library is where I see people.\r\nI go every Tuesday.  \r\n \r\n"
    "=SUM(1+1) is what my grandson typed. The seafront walks keep me going."
)


def community(slug: str = "dover-town") -> Community:
    return db.session.scalars(select(Community).filter_by(slug=slug)).one()


def add_deep_dive(
    where: Community,
    participant_code: str = "DOV-01",
    transcript: str = TRANSCRIPT,
    *,
    campaign: Campaign | None = None,
    held_on: date = date(2026, 3, 2),
    recording: bool = False,
    quotation: bool = True,
    sharing: bool = True,
    synthetic: bool = False,
) -> DeepDive:
    """A deep dive of `where` (flushed)."""
    deep_dive = DeepDive(
        community=where,
        campaign=campaign,
        participant_code=participant_code,
        held_on=held_on,
        consent_recording=recording,
        consent_quotation=quotation,
        consent_sharing=sharing,
        transcript=transcript,
        synthetic=synthetic,
    )
    db.session.add(deep_dive)
    db.session.flush()
    return deep_dive


def add_theme(campaign: Campaign, key: str, name: str | None = None, description: str = "") -> Theme:
    theme = Theme(campaign=campaign, key=key, name=name or key.replace("_", " ").capitalize(), description=description)
    db.session.add(theme)
    db.session.flush()
    return theme


def add_excerpt(
    deep_dive: DeepDive,
    phrase: str,
    *,
    sixways: Sequence[str] = (),
    assets: Sequence[Asset] = (),
    themes: Sequence[Theme] = (),
) -> Excerpt:
    """An excerpt of the first occurrence of `phrase` in the transcript, with these codes (flushed)."""
    start = deep_dive.transcript.index(phrase)
    excerpt = Excerpt(deep_dive=deep_dive, start=start, end=start + len(phrase), text=phrase)
    excerpt.codes = [
        *(ExcerptCode(sixways=key) for key in sixways),
        *(ExcerptCode(asset=asset) for asset in assets),
        *(ExcerptCode(theme=theme) for theme in themes),
    ]
    db.session.add(excerpt)
    db.session.flush()
    return excerpt

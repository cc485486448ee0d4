"""Helpers for the deep-dive quote tests: deep dives, excerpts and codes made with the models directly,
and an independent recount of what an asset's quotes and counts should be (this module holds no tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.models import Asset, Community, DeepDive, Excerpt, ExcerptCode, Theme, User


@dataclass(frozen=True)
class Said:
    """One excerpt to code: its words and what it is coded to (asset slugs, six ways keys, theme keys)."""

    text: str
    assets: tuple[str, ...] = ()
    sixways: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()


def add_deep_dive(
    app: Flask,
    community: str,
    code: str,
    held_on: date,
    said: list[Said],
    *,
    quotation: bool = True,
    synthetic: bool = False,
    interviewer: str | None = None,
) -> int:
    """A deep dive whose transcript is the excerpts' words, one paragraph each, every excerpt coded as
    given; `interviewer` is a staff email (to show names never leak). Returns the deep dive's id."""
    with app.app_context():
        place = db.session.scalars(select(Community).filter_by(slug=community)).one()
        assets = {asset.slug: asset for asset in db.session.scalars(select(Asset))}
        staff = db.session.scalars(select(User).filter_by(email=interviewer)).one() if interviewer else None
        transcript = "\n\n".join(item.text for item in said)
        deep_dive = DeepDive(
            community=place,
            participant_code=code,
            held_on=held_on,
            interviewer=staff,
            consent_quotation=quotation,
            transcript=transcript,
            synthetic=synthetic,
        )
        start = 0
        for item in said:
            excerpt = Excerpt(start=start, end=start + len(item.text), text=item.text)
            excerpt.codes = [
                *(ExcerptCode(asset=assets[slug]) for slug in item.assets),
                *(ExcerptCode(sixways=key) for key in item.sixways),
                *(ExcerptCode(theme=_theme(place, key)) for key in item.themes),
            ]
            deep_dive.excerpts.append(excerpt)
            start += len(item.text) + 2
        db.session.add(deep_dive)
        db.session.commit()
        return deep_dive.id


def _theme(community: Community, key: str) -> Theme:
    from survey.models import Campaign

    theme = db.session.scalars(select(Theme).filter_by(key=key)).first()
    if theme is not None:
        return theme
    campaign = db.session.scalars(select(Campaign).filter_by(community_id=community.id)).first()
    assert campaign is not None, "a theme needs a campaign: make one first"
    theme = Theme(campaign=campaign, key=key, name=key.replace("_", " ").capitalize())
    db.session.add(theme)
    return theme


def name_interviewers(app: Flask) -> list[str]:
    """Give every deep dive's interviewer a distinctive name; returns those names and every staff email,
    none of which may appear wherever quotes are shown."""
    with app.app_context():
        interviewers = {deep_dive.interviewer for deep_dive in db.session.scalars(select(DeepDive))} - {None}
        names = []
        for number, user in enumerate(sorted(interviewers, key=lambda user: user.id), start=1):
            user.name = f"Ada Interviewer-{number:02d} Lovelace"
            names.append(user.name)
        db.session.commit()
        return names + list(db.session.scalars(select(User.email)))


def erase(app: Flask, deep_dive_id: int) -> None:
    """Delete a deep dive as erasure does (its excerpts and codes go with it)."""
    with app.app_context():
        db.session.delete(db.session.get_one(DeepDive, deep_dive_id))
        db.session.commit()


@dataclass(frozen=True)
class Recount:
    """What the quote functions should find for one asset, counted here from the rows in Python."""

    excerpts: int
    interviews: int
    quotable: int
    quotes: list[tuple[str, str]]  # (participant code, text), in the order quotes are shown
    unquotable: list[str]  # texts that must never be shown


def recount(app: Flask, asset_slug: str) -> Recount:
    """Walk every deep dive of the asset's community and its excerpts, with no SQL beyond loading them."""
    with app.app_context():
        asset = db.session.scalars(select(Asset).filter_by(slug=asset_slug)).one()
        found = []
        for deep_dive in db.session.scalars(select(DeepDive)):
            if deep_dive.community_id != asset.community_id:
                continue
            for excerpt in deep_dive.excerpts:
                if any(code.asset_id == asset.id for code in excerpt.codes):
                    found.append((deep_dive, excerpt))
        found.sort(key=lambda pair: (pair[0].held_on, pair[0].id, pair[1].start))
        return Recount(
            excerpts=len(found),
            interviews=len({deep_dive.id for deep_dive, _ in found}),
            quotable=sum(1 for deep_dive, _ in found if deep_dive.consent_quotation),
            quotes=[(d.participant_code, e.text) for d, e in found if d.consent_quotation],
            unquotable=[e.text for d, e in found if not d.consent_quotation],
        )

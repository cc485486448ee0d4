"""Licence records for copyright instruments (WEMWBS and SWEMWBS need registration)."""

from __future__ import annotations

from sqlalchemy import select

import instruments
from instruments.answers import quoted
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import Licence, User

# One registration with the University of Warwick covers both scales
# (../shared/reference/wemwbs.md: "register ... to use it"), so a WEMWBS licence covers SWEMWBS.
COVERED_BY = {"swemwbs": ("swemwbs", "wemwbs")}


def licence_recorded(instrument_key: str) -> bool:
    keys = COVERED_BY.get(instrument_key, (instrument_key,))
    return db.session.scalar(select(Licence.id).where(Licence.instrument_key.in_(keys)).limit(1)) is not None


def add_licence(instrument_key: str, holder: str, reference: str, recorded_by: User | None = None) -> Licence:
    """Record that the organisation holds a licence for an instrument."""
    if instrument_key not in instruments.catalogue():
        raise ServiceError(f"Unknown instrument {quoted(instrument_key)}.")
    if not holder.strip() or not reference.strip():
        raise ServiceError("A licence needs the holder's name and the licence reference.")
    licence = Licence(
        instrument_key=instrument_key, holder=holder.strip(), reference=reference.strip(), recorded_by=recorded_by
    )
    db.session.add(licence)
    db.session.flush()
    return licence

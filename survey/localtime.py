"""Times are stored in UTC and shown (and dates compared) in the display time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def local_today() -> date:
    """Today's date where the study runs (Europe/London by default), whatever the server's TZ."""
    return datetime.now(_zone()).date()


def local_time(value: datetime | None, fmt: str = "%d %B %Y, %H:%M") -> str:
    """Format a UTC timestamp in the display time zone."""
    if value is None:
        return ""
    return value.astimezone(_zone()).strftime(fmt)


def long_date(value: date) -> str:
    """A date as pages write it, GOV.UK style: "5 December 2026" (no leading zero)."""
    return f"{value.day} {value:%B %Y}"


def local_date(value: datetime | None) -> str:
    """The day of a UTC timestamp in the display time zone, as `long_date` writes it."""
    if value is None:
        return ""
    return long_date(value.astimezone(_zone()).date())

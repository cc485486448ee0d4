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


def local_date(value: datetime | None) -> str:
    return local_time(value, "%d %B %Y")

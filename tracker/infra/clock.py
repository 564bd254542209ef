"""Time helpers: the database stores naive UTC; the programme's calendar is TRACKER_TIMEZONE."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """The current time as naive UTC, the way the database stores it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def programme_zone() -> ZoneInfo:
    """The time zone the programme's calendar is kept in."""
    return ZoneInfo(current_app.config["TRACKER_TIMEZONE"])


def today() -> date:
    """Today's date in TRACKER_TIMEZONE."""
    return datetime.now(programme_zone()).date()

"""Time as a parameter: the app holds a clock, and every "what time is it" reads it.

The database stores naive UTC; the programme's calendar is TRACKER_TIMEZONE.
Production runs on the system clock; a test installs a FixedClock and says
"it is Monday 07:00" (`use_clock(app, FixedClock(...))`) instead of bending
crons and grace periods around the real time.
"""
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context

EXTENSION = "tracker.clock"


class Clock(Protocol):
    """Tells the time."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until it is set or advanced (naive times are taken as UTC)."""

    def __init__(self, at: datetime):
        self.set(at)

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)

    def advance(self, delta: timedelta | None = None, **parts: float) -> None:
        """Move the clock on by `delta` or by timedelta's keywords: advance(minutes=5)."""
        self.at += (delta or timedelta()) + timedelta(**parts)


SYSTEM_CLOCK = SystemClock()


def use_clock(app: Flask, clock: Clock) -> Clock:
    """Make `clock` the app's clock (create_app installs the system clock)."""
    app.extensions[EXTENSION] = clock
    return clock


def current_clock() -> Clock:
    """The app's clock; the system clock outside an app context."""
    if has_app_context():
        return current_app.extensions.get(EXTENSION, SYSTEM_CLOCK)
    return SYSTEM_CLOCK


def utcnow() -> datetime:
    """The current time as naive UTC, the way the database stores it."""
    return current_clock().now().astimezone(UTC).replace(tzinfo=None)


def programme_zone() -> ZoneInfo:
    """The time zone the programme's calendar is kept in."""
    return ZoneInfo(current_app.config["TRACKER_TIMEZONE"])


def local_now() -> datetime:
    """The current time in TRACKER_TIMEZONE, timezone-aware."""
    return current_clock().now().astimezone(programme_zone())


def today() -> date:
    """Today's date in TRACKER_TIMEZONE."""
    return local_now().date()

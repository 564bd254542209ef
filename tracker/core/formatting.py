"""Putting values into words for people (scores and days) and into attributes for machines (instants)."""
from datetime import date, datetime
from decimal import Decimal


def format_score(score: Decimal | int) -> str:
    """A score without trailing zeros: 70.00 -> "70", 69.50 -> "69.5"."""
    return format(Decimal(score).normalize(), "f")


def format_day(day: date) -> str:
    """"Mon 23 Nov 2026": unambiguous whatever the reader's locale."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def format_instant(at: datetime) -> str:
    """A stored (naive UTC) timestamp as HTML's `datetime` attribute wants it: "2026-11-23T07:00:05Z"."""
    return f"{at:%Y-%m-%dT%H:%M:%S}Z"


def format_date(day: date) -> str:
    """"6 Nov 2026": the one way pages show a day to people (inputs and files stay ISO)."""
    return f"{day.day} {day:%b %Y}"


def format_minute(at: datetime) -> str:
    """"6 Nov 2026, 07:05": a moment to the minute (no seconds or microseconds)."""
    return f"{format_date(at)}, {at:%H:%M}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """"1 week", "2 weeks", "1 more week": the count and the noun that fits it."""
    return f"{count} {one if count == 1 else (many or one + 's')}"

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

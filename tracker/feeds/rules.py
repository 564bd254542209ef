"""Calendar feeds as pure functions: tokens and their hashes, and the iCalendar document (RFC 5545) of some events."""
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

TOKEN_BYTES = 32  # 256 random bits: not guessable, so the address is the secret


def new_token() -> str:
    """A random token for a feed address (URL-safe text)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, so a copy of the database opens no feed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class FeedEvent:
    """An all-day event: from `first` to `last`, both included."""

    uid: str
    summary: str
    first: date
    last: date
    description: str = ""
    url: str = ""


def calendar_document(name: str, events: Iterable[FeedEvent], stamp: datetime) -> bytes:
    """The feed: one VEVENT per event, all-day (DTEND is the day after the last, as RFC 5545 says)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Rotation tracker//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp.replace(tzinfo=UTC))
        event.add("dtstart", item.first)
        event.add("dtend", item.last + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("transp", "TRANSPARENT")  # a rotation does not make anyone busy in a diary
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        calendar.add_component(event)
    return calendar.to_ical()

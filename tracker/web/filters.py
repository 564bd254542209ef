"""Template filters that put days and moments into `<time>` elements people and machines can both read."""
from datetime import UTC, date, datetime

from markupsafe import Markup

from tracker.core.formatting import format_date, format_minute
from tracker.infra.clock import programme_zone


def day_element(day: date | None, empty: str = "") -> Markup:
    """`<time datetime="2026-11-06">6 Nov 2026</time>`; `empty` when there is no day."""
    if day is None:
        return Markup.escape(empty)
    return Markup('<time datetime="{}">{}</time>').format(day.isoformat(), format_date(day))


def moment_element(at: datetime | None) -> Markup:
    """A stored (naive UTC) moment in TRACKER_TIMEZONE, to the minute, in a `<time>` element."""
    if at is None:
        return Markup("")
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(programme_zone())
    return Markup('<time datetime="{}">{}</time>').format(local.isoformat(timespec="minutes"), format_minute(local))

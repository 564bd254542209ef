"""ISO weeks, the digest's period: "2026-W48" names the week starting Monday 2026-11-23.

Pure functions: the week a moment falls in depends on the programme's time
zone, so callers pass the zone (or a local date) in.
"""
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tracker.core.errors import TrackerError
from tracker.core.parsing import EARLIEST_RECORD_DATE, check_record_date, latest_record_date

WEEK_PATTERN = re.compile(r"(\d{4})-W(\d{2})")


class WeekError(TrackerError):
    """A week string that does not name a real ISO week."""


@dataclass(frozen=True, order=True)
class IsoWeek:
    """One ISO week: Monday to Sunday."""

    year: int
    week: int

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def reported_days(self) -> tuple[date, date]:
        """The 7 days before the Monday, which the digest sent on that Monday looks back on."""
        return self.monday - timedelta(days=7), self.monday - timedelta(days=1)

    def next(self) -> "IsoWeek":
        return week_of(self.monday + timedelta(days=7))


def parse_week(text: str) -> IsoWeek:
    """A week from "YYYY-Www"; WeekError saying why when it is not one."""
    match = WEEK_PATTERN.fullmatch((text or "").strip())
    if not match:
        raise WeekError(f"'{text}' is not a week in the form YYYY-Www (for example 2026-W48)")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise WeekError(f"{year} has no ISO week {week}") from None
    return IsoWeek(year, week)


def check_week_in_range(week: IsoWeek, today: date) -> IsoWeek:
    """The week, if its Monday lies within the dates records may have (see core.parsing); WeekError otherwise."""
    try:
        check_record_date(week.monday, today)
    except ValueError:
        first, last = week_of(EARLIEST_RECORD_DATE).next(), week_of(latest_record_date(today))
        raise WeekError(f"{week} is outside the weeks the tracker keeps: from {first} to {last}.") from None
    return week


def week_of(day: date) -> IsoWeek:
    """The ISO week a date falls in (1 January may belong to the previous year's last week)."""
    year, week, _ = day.isocalendar()
    return IsoWeek(year, week)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar date in `zone` at `moment` (naive moments are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def current_week(moment: datetime, zone: ZoneInfo) -> IsoWeek:
    """The ISO week it is at `moment` in `zone`."""
    return week_of(local_date(moment, zone))


def coming_week(day: date) -> IsoWeek:
    """The week of the next digest on or after `day`: this week on a Monday, otherwise next week."""
    return week_of(day + timedelta(days=(7 - day.weekday()) % 7))

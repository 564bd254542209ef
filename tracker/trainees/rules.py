"""Rules for a trainee's records, as pure functions: the forms, the services and the imports share them."""
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

NOTES_MAX_LENGTH = 2000
MAX_CREDIT_WEEKS = 520


def duplicate_result_message(module_name: str, completed_on: date) -> str:
    """The reason a second result of a module on the same day is refused."""
    return f"There is already a {module_name} result on {completed_on.isoformat()}; edit that one instead."


def end_before_start(start: date | None, end: date | None) -> str | None:
    """The reason an end date is refused, if it is before the start."""
    if start and end and end < start:
        return f"The end date {end.isoformat()} is before the start date {start.isoformat()}."
    return None


def periods_overlap(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    """True when two periods share a day; both ends count, and no end means still running."""
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


@dataclass(frozen=True)
class Period:
    """A rotation or a spell of leave as the overlap rule sees it."""

    start: date
    end: date | None
    label: str
    leave: bool = False


def first_overlap(start: date, end: date | None, others: Iterable[Period]) -> Period | None:
    """The earliest of `others` that shares a day with start..end, if any."""
    clashes = [p for p in others if periods_overlap(start, end, p.start, p.end)]
    return min(clashes, key=lambda p: p.start, default=None)


def current_rotation(rotations: Iterable[Any], today: date) -> Any | None:
    """The rotation running today (started, not yet ended), if any."""
    running = [r for r in rotations if r.start_date <= today and (r.end_date is None or r.end_date >= today)]
    return max(running, key=lambda r: r.start_date, default=None)


def period_text(start: date, end: date | None) -> str:
    """'from 2025-01-06 to 2025-03-02', or 'from 2025-01-06, still running'."""
    return f"from {start.isoformat()}" + (f" to {end.isoformat()}" if end else ", still running")


def describe_period(job_type_name: str, start: date, end: date | None) -> str:
    """'the Warehouse rotation from 2025-01-06 to 2025-03-02' (or '..., still running')."""
    return f"the {job_type_name} rotation {period_text(start, end)}"


def overlap_message(clash: Period, start: date | None = None, leave: bool = False) -> str:
    """The reason a rotation (or, with `leave`, a spell of leave) is refused when it overlaps another
    rotation or leave (and what to do after a running rotation)."""
    if clash.end is None and start is not None and start > clash.start:
        return f"These dates overlap {clash.label}. End that rotation first (End and rate), then record the next one."
    if leave or clash.leave:
        return f"These dates overlap {clash.label}. A trainee's rotations and leave may not share a day."
    return f"These dates overlap {clash.label}. A trainee's rotations may not share a day."


def describe_leave(start: date, end: date) -> str:
    """'leave from 2025-08-04 to 2025-08-15'."""
    return f"leave {period_text(start, end)}"


def parse_credit_weeks(text) -> int:
    """The weeks of an experience credit: a whole number from 1 (to ten years' worth)."""
    value = str(text if text is not None else "").strip()
    if not value:
        raise ValueError("Enter the weeks of experience, a whole number of at least 1.")
    if not (value.isascii() and value.isdigit()) or len(value) > 6:
        raise ValueError(f"The weeks must be a whole number of at least 1, not '{value}'.")
    weeks = int(value)
    if not 1 <= weeks <= MAX_CREDIT_WEEKS:
        raise ValueError(f"The weeks must be a whole number from 1 to {MAX_CREDIT_WEEKS}, not '{weeks}'.")
    return weeks


def future_grant_message(granted_on: date, today: date) -> str:
    """The reason a credit dated after today is refused."""
    return (f"The granted-on date {granted_on.isoformat()} is in the future; "
            f"a credit is granted on or before today ({today.isoformat()}).")


def missing_reason_message() -> str:
    return "Enter the reason for this credit (for example: graduate degree, three years at another firm)."


def duplicate_credit_message(what: str, granted_on: date) -> str:
    """The reason a second credit for the same job type or module on the same day is refused."""
    return f"There is already a credit for {what} granted on {granted_on.isoformat()}; revoke it first or choose another date."


def credit_text(kind: str, what: str, weeks: int | None = None, rating: int | None = None) -> str:
    """'8 weeks of Procurement desk experience, rated 4' or 'exemption from Audit Fundamentals'."""
    if kind == "exemption":
        return f"exemption from {what}"
    rated = f", rated {rating}" if rating else ""
    return f"{weeks} week{'s' if weeks != 1 else ''} of {what} experience{rated}"


def overlap_field(start: date, clash: Period) -> str:
    """Which date to show the overlap beside: the start when it falls inside the other rotation."""
    return "start_date" if periods_overlap(start, start, clash.start, clash.end) else "end_date"


def inactive_trainee_message(name: str, status: str) -> str:
    """The reason nothing can be recorded for a trainee who has left the programme."""
    return f"{name} is {status}: records can only be changed for active trainees."


# --- planned rotations ---------------------------------------------------------


def is_planned(start: date, today: date) -> bool:
    """A rotation that starts after today is planned."""
    return start > today


def planned_needs_end(start: date | None, end: date | None, today: date) -> str | None:
    """The reason a planned rotation without an end date is refused."""
    if start is not None and end is None and is_planned(start, today):
        return "A planned rotation (one that starts after today) needs an end date."
    return None


def rated_too_early(end: date | None, rating: int | None, today: date) -> str | None:
    """The reason a rating is refused: the rotation has not ended yet (it ends after today)."""
    if rating is not None and end is not None and end > today:
        return f"A rotation can be rated once it has ended; this one ends on {end.isoformat()}."
    return None


# --- capacity ------------------------------------------------------------------


def short_day(day: date) -> str:
    """'12 Jan 2027'."""
    return f"{day.day} {day:%b %Y}"


def full_message(job_type_name: str, day: date, taken: int, capacity: int) -> str:
    """'Warehouse operations is full on 12 Jan 2027: 40 of 40 places taken'."""
    return f"{job_type_name} is full on {short_day(day)}: {taken} of {capacity} places taken"


DayRange = tuple[date, date | None]  # first and last day, both included; no last day: open-ended


class Occupancy:
    """How many of some periods cover a day, answered by bisection over their sorted starts and ends."""

    def __init__(self, periods: Iterable[DayRange]):
        periods = list(periods)
        self.starts = sorted(start for start, _ in periods)
        self.ends = sorted(end for _, end in periods if end is not None)

    def at(self, day: date) -> int:
        """Periods started on or before `day` less those that ended before it."""
        return bisect_right(self.starts, day) - bisect_left(self.ends, day)

    def starts_within(self, first: date, last: date | None) -> list[date]:
        """The days in first..last on which some period starts (where the count can go up)."""
        stop = len(self.starts) if last is None else bisect_right(self.starts, last)
        return self.starts[bisect_left(self.starts, first):stop]


def days_added(start: date, end: date | None, from_day: date, before: DayRange | None = None) -> list[DayRange]:
    """The days of start..end from `from_day` on that `before` (the same rotation as it was) did not cover."""
    first = max(start, from_day)
    if end is not None and end < first:
        return []
    if before is None:
        return [(first, end)]
    old_start, old_end = before
    ranges = []
    if first < old_start:
        ranges.append((first, old_start - timedelta(days=1) if end is None or end >= old_start else end))
    if old_end is not None and (end is None or end > old_end):
        ranges.append((max(first, old_end + timedelta(days=1)), end))
    return ranges


def first_full_day(occupancy: Occupancy, capacity: int, ranges: Iterable[DayRange], own: int = 0) -> tuple[date, int] | None:
    """The first day within `ranges` on which others already take every place, and how many they take.

    Others are the periods counted by `occupancy` less `own` (1 when the rotation itself is among
    them). The first full day is where a range begins or where another period starts, so only
    those days are looked at.
    """
    full = []
    for first, last in ranges:
        for day in [first, *occupancy.starts_within(first, last)]:
            taken = occupancy.at(day) - own
            if taken >= capacity:
                full.append((day, taken))
                break
    return min(full, default=None)

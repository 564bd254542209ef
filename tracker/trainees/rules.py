"""Rules for a trainee's records, as pure functions: the forms, the services and the imports share them."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

NOTES_MAX_LENGTH = 2000


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
    """A rotation as the overlap rule sees it."""

    start: date
    end: date | None
    label: str


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


def overlap_message(clash: Period, start: date | None = None) -> str:
    """The reason a rotation is refused when it overlaps another (and what to do after a running one)."""
    if clash.end is None and start is not None and start > clash.start:
        return f"These dates overlap {clash.label}. End that rotation first (End and rate), then record the next one."
    return f"These dates overlap {clash.label}. A trainee's rotations may not share a day."


def overlap_field(start: date, clash: Period) -> str:
    """Which date to show the overlap beside: the start when it falls inside the other rotation."""
    return "start_date" if periods_overlap(start, start, clash.start, clash.end) else "end_date"


def inactive_trainee_message(name: str, status: str) -> str:
    """The reason nothing can be recorded for a trainee who has left the programme."""
    return f"{name} is {status}: records can only be changed for active trainees."

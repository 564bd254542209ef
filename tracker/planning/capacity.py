"""The capacity view's numbers: per job type and week, the most trainees on it on any one day.

Pure (no Flask, no database): periods in, cells out. A week's number is its
busiest day, so a cell at its capacity means some day of that week is full.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

Period = tuple[date, date | None]  # first and last day, both included; no last day: open-ended


@dataclass(frozen=True)
class Cell:
    """One job type in one week: the busiest day's count against the capacity."""

    monday: date
    taken: int
    capacity: int | None

    @property
    def week(self) -> str:
        """The ISO week, as addresses name it: "2026-W48"."""
        year, week, _ = self.monday.isocalendar()
        return f"{year:04d}-W{week:02d}"

    @property
    def level(self) -> str:
        """How full: 'empty', 'free' (under half), 'busy', 'full' (at capacity), 'over', or 'open' without a capacity."""
        if self.taken == 0:
            return "empty"
        if self.capacity is None:
            return "open"
        if self.taken > self.capacity:
            return "over"
        if self.taken == self.capacity:
            return "full"
        return "busy" if 2 * self.taken >= self.capacity else "free"


def week_mondays(first_monday: date, weeks: int) -> list[date]:
    return [first_monday + timedelta(weeks=n) for n in range(weeks)]


def busiest_days(periods: Iterable[Period], first_monday: date, weeks: int) -> list[int]:
    """For each of `weeks` weeks from `first_monday`, the most periods covering any one of its days."""
    days = 7 * weeks
    change = [0] * (days + 1)
    for start, end in periods:
        first = max((start - first_monday).days, 0)
        last = days - 1 if end is None else min((end - first_monday).days, days - 1)
        if first <= last:
            change[first] += 1
            change[last + 1] -= 1
    running, counts = 0, []
    for change_today in change[:days]:
        running += change_today
        counts.append(running)
    return [max(counts[7 * n:7 * n + 7]) for n in range(weeks)]


def overlaps_week(period: Period, monday: date) -> bool:
    """The period has a day in the week starting `monday`."""
    start, end = period
    return start <= monday + timedelta(days=6) and (end is None or end >= monday)

"""A trainee's rotations laid out as a timeline picture: pure geometry, drawn as SVG by templates/trainees/_timeline.html.

One lane per job type (in the order first rotated through), time running left to
right from the month the trainee started to a little after today (or the last
planned end). The ongoing rotation runs to today and is drawn open-ended. Leave is a shaded
band across every lane.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tracker.core.formatting import format_date

WIDTH = 960
LABEL_WIDTH = 190
RIGHT_MARGIN = 24
AXIS_HEIGHT = 34
LANE_HEIGHT = 40
BAR_HEIGHT = 24
# Colours that keep white text at 4.5:1 or more, one per lane (repeating after eight).
COLOURS = ("#0a4fa3", "#116329", "#8a4b00", "#6f2da8", "#a40e26", "#005f73", "#5c4400", "#374151")


@dataclass(frozen=True)
class Bar:
    label: str
    x: float
    width: float
    y: float
    colour: str
    rating: int | None
    ongoing: bool
    planned: bool
    text: str  # the rotation in words, for the text alternative


@dataclass(frozen=True)
class Band:
    """A period of leave, shaded across the lanes."""

    x: float
    width: float
    text: str


@dataclass(frozen=True)
class Lane:
    name: str
    y: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    major: bool


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    plot_left: int
    plot_right: int
    lanes: tuple[Lane, ...]
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    today_x: float
    today: date
    leave: tuple[Band, ...] = ()

    @property
    def lane_bottom(self) -> float:
        return self.height - 4


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def layout(rotations: Iterable[Any], today: date, started: date | None = None, leave: Iterable[Any] = ()) -> Timeline | None:
    """The picture of `rotations` (objects with job_type.name, start_date, end_date, rating) and `leave` (start_date,
    end_date, reason), or None without any rotation."""
    rotations = sorted(rotations, key=lambda r: r.start_date)
    leave = sorted(leave, key=lambda spell: spell.start_date)
    if not rotations:
        return None
    first = min(rotations[0].start_date, started or rotations[0].start_date, *(spell.start_date for spell in leave))
    last = max([today] + [r.end_date for r in rotations if r.end_date] + [spell.end_date for spell in leave])
    start, end = month_start(first), next_month(last + timedelta(days=10))
    span = (end - start).days
    plot_left, plot_right = LABEL_WIDTH, WIDTH - RIGHT_MARGIN

    def x_of(day: date) -> float:
        return round(plot_left + (day - start).days * (plot_right - plot_left) / span, 1)

    names = list(dict.fromkeys(r.job_type.name for r in rotations))
    lanes = tuple(Lane(name, AXIS_HEIGHT + i * LANE_HEIGHT) for i, name in enumerate(names))
    bars = tuple(bar_of(r, lanes[names.index(r.job_type.name)], names.index(r.job_type.name), today, x_of) for r in rotations)
    bands = tuple(
        Band(x_of(spell.start_date), round(max(3.0, x_of(spell.end_date + timedelta(days=1)) - x_of(spell.start_date)), 1),
             f"Leave, {format_date(spell.start_date)} to {format_date(spell.end_date)}: {spell.reason}")
        for spell in leave
    )
    return Timeline(
        WIDTH, AXIS_HEIGHT + len(lanes) * LANE_HEIGHT + 8, plot_left, plot_right, lanes, bars,
        ticks(start, end, x_of), round((x_of(today) + x_of(today + timedelta(days=1))) / 2, 1), today, bands,
    )


def bar_of(rotation, lane: Lane, index: int, today: date, x_of) -> Bar:
    """One rotation's bar: up to today while it runs, a planned one lighter."""
    ongoing = rotation.end_date is None
    planned = rotation.start_date > today
    end = today if ongoing else rotation.end_date
    x = x_of(rotation.start_date)
    width = max(3.0, x_of(end + timedelta(days=1)) - x)
    return Bar(
        rotation.job_type.name, x, round(width, 1), lane.y + (LANE_HEIGHT - BAR_HEIGHT) / 2,
        COLOURS[index % len(COLOURS)], rotation.rating, ongoing, planned, words(rotation, today),
    )


def words(rotation, today: date) -> str:
    """'Procurement desk, 6 Jan 2025 to 2 Mar 2025 (8 weeks), rated 4 of 5'."""
    name = rotation.job_type.name
    if rotation.end_date is None:
        weeks = ((today - rotation.start_date).days + 1) // 7
        return f"{name}, from {format_date(rotation.start_date)}, ongoing ({weeks} weeks so far)"
    days = (rotation.end_date - rotation.start_date).days + 1
    weeks = f"{days // 7} weeks" if days % 7 == 0 else f"{days / 7:.1f} weeks"
    planned = ", planned" if rotation.start_date > today else ""
    rated = f", rated {rotation.rating} of 5" if rotation.rating else (", not rated yet" if rotation.end_date < today else "")
    return f"{name}, {format_date(rotation.start_date)} to {format_date(rotation.end_date)} ({weeks}){planned}{rated}"


def ticks(start: date, end: date, x_of) -> tuple[Tick, ...]:
    """A tick at each month (each quarter over long spans); January and the first tick name the year."""
    months = (end.year - start.year) * 12 + end.month - start.month
    step = 1 if months <= 14 else 3 if months <= 40 else 6
    found, day = [], start
    while day < end:  # no label at the right edge, where it would be cut off
        if (day.month - 1) % step == 0:
            year_mark = day.month == 1 or not found
            found.append(Tick(x_of(day), f"{day:%b} {day.year}" if year_mark else f"{day:%b}", year_mark))
        day = next_month(day)
    return tuple(found)

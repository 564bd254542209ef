"""The admins' home: the programme at a glance, in a fixed number of queries however many trainees."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from statistics import median

from sqlalchemy import func, select

from tracker.catalog.models import TargetRole
from tracker.extensions import db
from tracker.readiness.queries import load_roles
from tracker.readiness.snapshots import programme_figures
from tracker.trainees.models import TRAINEE_STATUSES, Trainee


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: what it stands for, its value, and the value in words."""

    label: str
    value: float
    text: str
    kind: str = ""  # a CSS class choosing the colour


@dataclass(frozen=True)
class Programme:
    statuses: list[Bar]
    readiness: list[Bar]
    cohorts: list[Bar]
    placement: list[Bar]
    active: int


def status_bars() -> list[Bar]:
    counts = dict(db.session.execute(select(Trainee.status, func.count()).group_by(Trainee.status)).all())
    return [Bar(status.capitalize(), counts.get(status, 0), str(counts.get(status, 0)), f"status-{status}") for status in TRAINEE_STATUSES]


def readiness_and_cohort_bars(today: date) -> tuple[list[Bar], list[Bar], int]:
    """Per role: how many are ready and nearly ready; per cohort: the mean of each trainee's best progress.

    Counted by the database from today's readiness snapshots, not by evaluating everyone.
    """
    figures = programme_figures(today)
    readiness = []
    for role in load_roles():
        ready, nearly = figures.ready.get(role.id, 0), figures.nearly.get(role.id, 0)
        readiness.append(Bar(f"{role.name}: ready", ready, str(ready), "ready"))
        readiness.append(Bar(f"{role.name}: nearly ready", nearly, str(nearly), "nearly"))
    cohorts = []
    for cohort, (count, total) in sorted(figures.cohorts.items()):
        percent = int(total / count * 100 + 1e-9)  # floored, as the progress bars are; the epsilon absorbs float error
        cohorts.append(Bar(f"{cohort} ({count})", percent, f"{percent}%", "progress"))
    return readiness, cohorts, sum(count for count, _ in figures.cohorts.values())


def placement_bars() -> list[Bar]:
    """Per role placed into: the median weeks from start to placement, with how many were placed."""
    rows = db.session.execute(
        select(TargetRole.name, Trainee.start_date, Trainee.placed_on)
        .join(TargetRole, Trainee.placed_role_id == TargetRole.id)
        .where(Trainee.status == "placed", Trainee.placed_on.is_not(None))
    )
    weeks = defaultdict(list)
    for role_name, start, placed_on in rows:
        weeks[role_name].append((placed_on - start).days / 7)
    bars = []
    for role_name, values in sorted(weeks.items()):
        middle = median(values)
        count = "1 trainee" if len(values) == 1 else f"{len(values)} trainees"
        bars.append(Bar(f"{role_name} ({count})", round(middle, 1), f"{middle:.0f} weeks", "placement"))
    return bars


def programme_at_a_glance(today: date) -> Programme:
    readiness, cohorts, active = readiness_and_cohort_bars(today)
    return Programme(status_bars(), readiness, cohorts, placement_bars(), active)

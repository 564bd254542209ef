"""Reading what the capacity view shows: job types, and the rotations in the weeks shown (set-based)."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select

from tracker.auth.models import User
from tracker.catalog.models import JobType
from tracker.extensions import db
from tracker.planning.capacity import Cell, busiest_days, overlaps_week, week_mondays
from tracker.trainees.models import Rotation, Trainee

WEEKS_SHOWN = 26


@dataclass(frozen=True)
class Placement:
    """A trainee's rotation in a job type, as a cell's details show it."""

    trainee_id: int
    trainee_name: str
    supervisor_id: int
    start: date
    end: date | None


@dataclass(frozen=True)
class JobTypeRow:
    """One job type's row: its cells, week by week."""

    job_type: JobType
    cells: list[Cell]


def placements_between(first: date, last: date, job_type_id: int | None = None) -> dict[int, list[Placement]]:
    """Every rotation with a day in first..last, by job type (one query)."""
    query = (
        select(Rotation.job_type_id, Trainee.id, User.name, Trainee.supervisor_id, Rotation.start_date, Rotation.end_date)
        .join(Trainee, Rotation.trainee_id == Trainee.id).join(User, Trainee.user_id == User.id)
        .where(Rotation.start_date <= last, or_(Rotation.end_date.is_(None), Rotation.end_date >= first))
        .order_by(Rotation.start_date, User.name)
    )
    if job_type_id is not None:
        query = query.where(Rotation.job_type_id == job_type_id)
    found = defaultdict(list)
    for job_type, *placement in db.session.execute(query):
        found[job_type].append(Placement(*placement))
    return found


def capacity_rows(first_monday: date, weeks: int = WEEKS_SHOWN) -> list[JobTypeRow]:
    """Each job type in use (or with a rotation in the weeks shown), by name, with its cells (two queries)."""
    last = first_monday + timedelta(weeks=weeks, days=-1)
    placements = placements_between(first_monday, last)
    job_types = db.session.scalars(
        select(JobType).where(or_(JobType.active, JobType.id.in_(list(placements)))).order_by(JobType.name, JobType.id)
    )
    rows = []
    for job_type in job_types:
        periods = [(p.start, p.end) for p in placements.get(job_type.id, [])]
        counts = busiest_days(periods, first_monday, weeks)
        cells = [Cell(monday, taken, job_type.capacity) for monday, taken in zip(week_mondays(first_monday, weeks), counts, strict=True)]
        rows.append(JobTypeRow(job_type, cells))
    return rows


def cell_placements(job_type: JobType, monday: date) -> list[Placement]:
    """The rotations of a job type with a day in the week starting `monday`."""
    placements = placements_between(monday, monday + timedelta(days=6), job_type.id).get(job_type.id, [])
    return [p for p in placements if overlaps_week((p.start, p.end), monday)]

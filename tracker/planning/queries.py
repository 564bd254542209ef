"""Reading what the capacity view shows: job types, and the rotations in the weeks shown (set-based)."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select

from tracker.auth.models import User
from tracker.catalog.models import JobType
from tracker.extensions import db
from tracker.planning.capacity import Cell, busiest_days, overlaps_week, week_mondays
from tracker.planning.models import PlanRun
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


def cohorts_in(trainee_ids) -> list[str]:
    """The cohorts of these trainees (a query of ids), in order."""
    return list(db.session.scalars(
        select(Trainee.cohort).where(Trainee.id.in_(trainee_ids)).distinct().order_by(Trainee.cohort)
    ))


def recent_runs(created_by_id: int | None, limit: int = 10) -> list[PlanRun]:
    """The latest planning runs, of one person or (None) of everyone."""
    query = select(PlanRun).order_by(PlanRun.created_at.desc(), PlanRun.id.desc()).limit(limit)
    if created_by_id is not None:
        query = query.where(PlanRun.created_by_id == created_by_id)
    return list(db.session.scalars(query))


def capacity_with_proposal(run: PlanRun) -> list[tuple[JobTypeRow, list[int]]]:
    """The capacity view over the run's horizon as it is now, plus the run's rotations not yet accepted.

    Each row comes with the proposal's own count per week, so a page can tell what the plan adds.
    """
    first_monday = run.start - timedelta(days=run.start.weekday())
    weeks = (run.start + timedelta(weeks=run.weeks) - first_monday).days // 7 + 1
    accepted = set(run.accepted or [])
    proposed = defaultdict(list)
    for trainee in run.result["trainees"]:
        if trainee["id"] not in accepted:
            for r in trainee["rotations"]:
                proposed[r["job_type_id"]].append((date.fromisoformat(r["start"]), date.fromisoformat(r["end"])))
    last = first_monday + timedelta(weeks=weeks, days=-1)
    placements = placements_between(first_monday, last)
    job_types = db.session.scalars(select(JobType).where(JobType.active).order_by(JobType.name, JobType.id))
    rows = []
    for job_type in job_types:
        periods = [(p.start, p.end) for p in placements.get(job_type.id, [])] + proposed.get(job_type.id, [])
        counts = busiest_days(periods, first_monday, weeks)
        added = busiest_days(proposed.get(job_type.id, []), first_monday, weeks)
        cells = [Cell(monday, taken, job_type.capacity) for monday, taken in zip(week_mondays(first_monday, weeks), counts, strict=True)]
        rows.append((JobTypeRow(job_type, cells), added))
    return rows

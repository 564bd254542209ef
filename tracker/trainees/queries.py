"""Set-based reads for the trainee pages."""
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, joinedload

from tracker.auth.models import User
from tracker.catalog.models import JobType
from tracker.extensions import db
from tracker.trainees import rules
from tracker.trainees.models import ModuleResult, Rotation, Trainee

SORTS = {
    "name": (User.name, Trainee.id),
    "cohort": (Trainee.cohort, User.name, Trainee.id),
    "start_date": (Trainee.start_date.desc(), User.name, Trainee.id),
    "status": (Trainee.status, User.name, Trainee.id),
}


def filter_trainees(query: Select, name: str = "", cohort: str = "", status: str = "", sort: str = "name") -> Select:
    """Narrow a trainee query by name (part of), cohort and status; sorted by name unless told otherwise."""
    query = query.join(User, Trainee.user_id == User.id).options(
        contains_eager(Trainee.user), joinedload(Trainee.supervisor), joinedload(Trainee.placed_role)
    )
    if name:
        query = query.where(func.lower(User.name).contains(name.strip().lower(), autoescape=True))
    if cohort:
        query = query.where(Trainee.cohort == cohort)
    if status:
        query = query.where(Trainee.status == status)
    return query.order_by(*SORTS.get(sort, SORTS["name"]))


def current_rotations(trainee_ids: list[int], today: date) -> dict[int, Rotation]:
    """The rotation each of these trainees is on today (one query), by trainee id."""
    rows = db.session.scalars(
        select(Rotation)
        .where(
            Rotation.trainee_id.in_(trainee_ids), Rotation.start_date <= today,
            (Rotation.end_date.is_(None)) | (Rotation.end_date >= today),
        )
        .options(joinedload(Rotation.job_type))
        .order_by(Rotation.start_date)
    )
    return {rotation.trainee_id: rotation for rotation in rows}


def cohorts(scope: Select | None = None) -> list[str]:
    """Every cohort in use (among the trainees in `scope`, if given), for filters."""
    query = (scope if scope is not None else select(Trainee)).with_only_columns(Trainee.cohort)
    return list(db.session.scalars(query.distinct().order_by(Trainee.cohort)))


def rotations_of(trainee: Trainee) -> list[Rotation]:
    """A trainee's rotations, newest first, with their job types."""
    return list(
        db.session.scalars(
            select(Rotation)
            .where(Rotation.trainee_id == trainee.id)
            .options(joinedload(Rotation.job_type), joinedload(Rotation.supervisor))
            .order_by(Rotation.start_date.desc())
        )
    )


def results_of(trainee: Trainee) -> list[ModuleResult]:
    """A trainee's module results, newest first, with their modules."""
    return list(
        db.session.scalars(
            select(ModuleResult)
            .where(ModuleResult.trainee_id == trainee.id)
            .options(joinedload(ModuleResult.module))
            .order_by(ModuleResult.completed_on.desc(), ModuleResult.id.desc())
        )
    )


def other_periods(trainee_id: int, exclude_id: int | None = None) -> list[rules.Period]:
    """The trainee's rotations (but one) as periods for the overlap rule, with labels for messages."""
    query = (
        select(Rotation.start_date, Rotation.end_date, JobType.name)
        .join(JobType, Rotation.job_type_id == JobType.id)
        .where(Rotation.trainee_id == trainee_id)
    )
    if exclude_id is not None:
        query = query.where(Rotation.id != exclude_id)
    return [
        rules.Period(start, end, rules.describe_period(name, start, end))
        for start, end, name in db.session.execute(query)
    ]


def result_exists(trainee_id: int, module_id: int, completed_on: date, exclude_id: int | None = None) -> bool:
    """True when the trainee already has a result of the module on that day (other than `exclude_id`)."""
    query = select(ModuleResult.id).where(
        ModuleResult.trainee_id == trainee_id,
        ModuleResult.module_id == module_id,
        ModuleResult.completed_on == completed_on,
    )
    if exclude_id is not None:
        query = query.where(ModuleResult.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None

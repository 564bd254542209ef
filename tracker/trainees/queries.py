"""Set-based reads for the trainee pages."""
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from tracker.auth.models import User
from tracker.catalog.models import JobType, TargetRole
from tracker.extensions import db
from tracker.trainees import rules
from tracker.trainees.models import Credit, Leave, ModuleResult, Rotation, Trainee, TraineeTargetRole

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


def other_periods(trainee_id: int, exclude_id: int | None = None, exclude_leave_id: int | None = None) -> list[rules.Period]:
    """The trainee's rotations (but `exclude_id`) and leave (but `exclude_leave_id`) as periods for the overlap rule,
    with labels for messages (two queries)."""
    query = (
        select(Rotation.start_date, Rotation.end_date, JobType.name)
        .join(JobType, Rotation.job_type_id == JobType.id)
        .where(Rotation.trainee_id == trainee_id)
    )
    if exclude_id is not None:
        query = query.where(Rotation.id != exclude_id)
    leave = select(Leave.start_date, Leave.end_date).where(Leave.trainee_id == trainee_id)
    if exclude_leave_id is not None:
        leave = leave.where(Leave.id != exclude_leave_id)
    return [
        rules.Period(start, end, rules.describe_period(name, start, end))
        for start, end, name in db.session.execute(query)
    ] + [
        rules.Period(start, end, rules.describe_leave(start, end), leave=True)
        for start, end in db.session.execute(leave)
    ]


def credits_of(trainee: Trainee) -> list[Credit]:
    """A trainee's credits, revoked ones included, newest first, with what they are for and who granted them."""
    return list(
        db.session.scalars(
            select(Credit)
            .where(Credit.trainee_id == trainee.id)
            .options(joinedload(Credit.job_type), joinedload(Credit.module), joinedload(Credit.granted_by),
                     joinedload(Credit.revoked_by))
            .order_by(Credit.granted_on.desc(), Credit.id.desc())
        )
    )


def leave_of(trainee: Trainee) -> list[Leave]:
    """A trainee's leave, newest first."""
    return list(
        db.session.scalars(select(Leave).where(Leave.trainee_id == trainee.id).order_by(Leave.start_date.desc()))
    )


def credit_exists(trainee_id: int, granted_on: date, job_type_id: int | None, module_id: int | None) -> bool:
    """True when the trainee already has a credit (revoked or not) for this job type or module granted that day."""
    query = select(Credit.id).where(
        Credit.trainee_id == trainee_id,
        Credit.granted_on == granted_on,
        Credit.job_type_id == job_type_id if job_type_id is not None else Credit.module_id == module_id,
    )
    return db.session.scalar(query.limit(1)) is not None


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


def job_type_periods(job_type_id: int, from_day: date, exclude_id: int | None = None) -> list[rules.DayRange]:
    """The job type's rotations (but one) that reach `from_day` or later, as day ranges for the capacity rule."""
    query = select(Rotation.start_date, Rotation.end_date).where(
        Rotation.job_type_id == job_type_id, or_(Rotation.end_date.is_(None), Rotation.end_date >= from_day)
    )
    if exclude_id is not None:
        query = query.where(Rotation.id != exclude_id)
    return [tuple(row) for row in db.session.execute(query)]


def target_roles_by_trainee(trainee_ids) -> dict[int, list[TargetRole]]:
    """Each of these trainees' target roles, first preference first (one query; ids or a query of ids)."""
    ids = trainee_ids.scalar_subquery() if isinstance(trainee_ids, Select) else list(trainee_ids)
    rows = db.session.execute(
        select(TraineeTargetRole.trainee_id, TargetRole)
        .join(TargetRole, TraineeTargetRole.role_id == TargetRole.id)
        .where(TraineeTargetRole.trainee_id.in_(ids))
        .order_by(TraineeTargetRole.trainee_id, TraineeTargetRole.position)
    )
    found: dict[int, list[TargetRole]] = {}
    for trainee_id, role in rows:
        found.setdefault(trainee_id, []).append(role)
    return found


def target_roles_of(trainee: Trainee) -> list[TargetRole]:
    """The trainee's target roles, first preference first."""
    return target_roles_by_trainee([trainee.id]).get(trainee.id, [])

"""Set-based reads for the trainee pages."""
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from tracker.auth.models import User
from tracker.extensions import db
from tracker.trainees.models import ModuleResult, Rotation, Trainee


def filter_trainees(query: Select, name: str = "", cohort: str = "", status: str = "") -> Select:
    """Narrow a trainee query by name (part of), cohort and status; sorted by name."""
    query = query.join(User, Trainee.user_id == User.id).options(joinedload(Trainee.user))
    if name:
        query = query.where(func.lower(User.name).contains(name.strip().lower(), autoescape=True))
    if cohort:
        query = query.where(Trainee.cohort == cohort)
    if status:
        query = query.where(Trainee.status == status)
    return query.order_by(User.name, Trainee.id)


def cohorts() -> list[str]:
    """Every cohort in use, for filters."""
    return list(db.session.scalars(select(Trainee.cohort).distinct().order_by(Trainee.cohort)))


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

"""Changing trainees and their records. Each function flushes and audits; the caller commits."""
from datetime import date
from decimal import Decimal

from tracker.audit.services import record_change
from tracker.auth.models import User
from tracker.auth.services import create_user
from tracker.catalog.models import JobType, TrainingModule
from tracker.extensions import db
from tracker.trainees.models import ModuleResult, Rotation, Trainee


def create_trainee(email: str, name: str, supervisor: User, start_date: date, cohort: str, actor=None) -> Trainee:
    """A trainee user (no password: they are invited to set one) and their trainee record."""
    user = create_user(email, name, "trainee")
    record_change(actor, "create", user, before=None)
    trainee = Trainee(user=user, supervisor=supervisor, start_date=start_date, cohort=cohort.strip(), status="active")
    db.session.add(trainee)
    db.session.flush()
    record_change(actor, "create", trainee, before=None, trainee_id=trainee.id)
    return trainee


def create_rotation(
    trainee: Trainee,
    job_type: JobType,
    supervisor: User,
    start_date: date,
    end_date: date | None = None,
    rating: int | None = None,
    notes: str = "",
    actor=None,
) -> Rotation:
    """Record a rotation for a trainee."""
    rotation = Rotation(
        trainee=trainee, job_type=job_type, supervisor=supervisor, start_date=start_date,
        end_date=end_date, rating=rating, notes=notes,
    )
    db.session.add(rotation)
    record_change(actor, "create", rotation, before=None, trainee_id=trainee.id)
    return rotation


def create_result(trainee: Trainee, module: TrainingModule, completed_on: date, score: Decimal, actor=None) -> ModuleResult:
    """Record a module result for a trainee."""
    result = ModuleResult(trainee=trainee, module=module, completed_on=completed_on, score=score)
    db.session.add(result)
    record_change(actor, "create", result, before=None, trainee_id=trainee.id)
    return result

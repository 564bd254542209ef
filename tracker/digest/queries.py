"""The facts a week's digest needs: one set-based query per kind of fact, never one per trainee.

Each function takes `trainee_ids`, a query of the ids of the active trainees
in scope (the whole programme, or one supervisor's), as the readiness queries do.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.catalog.models import JobType, TargetRole, TrainingModule, code_order
from tracker.extensions import db
from tracker.readiness.models import ReadinessFlag
from tracker.trainees.models import Leave, ModuleResult, Rotation, Trainee

IDLE_DAYS = 28


@dataclass(frozen=True)
class Recipient:
    """Someone a digest is for: a supervisor (their trainees) or an admin (the programme)."""

    id: int
    email: str
    name: str
    role: str
    subscribed: bool


@dataclass(frozen=True)
class TraineeRow:
    id: int
    name: str
    supervisor_id: int
    supervisor_name: str
    supervisor_active: bool
    supervisor_subscribed: bool


@dataclass(frozen=True)
class FlagRow:
    trainee_id: int
    role_id: int
    role_name: str
    raised_on: date


@dataclass(frozen=True)
class DeferralRow:
    trainee_id: int
    role_name: str
    decision_on: date | None
    revisit_on: date
    reason: str | None


@dataclass(frozen=True)
class RotationRow:
    trainee_id: int
    job_type_name: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class PassRow:
    trainee_id: int
    module_id: int
    module_name: str
    valid_months: int
    completed_on: date
    score: Decimal


def recipients(user_id: int | None = None) -> list[Recipient]:
    """Active admins and active supervisors with active trainees, by id (or just the one user)."""
    has_trainees = exists().where(Trainee.supervisor_id == User.id, Trainee.status == "active")
    query = (
        select(User.id, User.email, User.name, User.role, User.digest_subscribed)
        .where(User.active, or_(User.role == "admin", and_(User.role == "supervisor", has_trainees)))
        .order_by(User.id)
    )
    if user_id is not None:
        query = query.where(User.id == user_id)
    return [Recipient(*row) for row in db.session.execute(query)]


def trainees(trainee_ids: Select) -> list[TraineeRow]:
    """The trainees in scope with their names and their supervisor's, by name."""
    trainee_user, supervisor = aliased(User), aliased(User)
    rows = db.session.execute(
        select(
            Trainee.id, trainee_user.name, supervisor.id, supervisor.name, supervisor.active,
            supervisor.digest_subscribed,
        )
        .join(trainee_user, Trainee.user_id == trainee_user.id)
        .join(supervisor, Trainee.supervisor_id == supervisor.id)
        .where(Trainee.id.in_(trainee_ids.scalar_subquery()))
        .order_by(trainee_user.name, Trainee.id)
    )
    return [TraineeRow(*row) for row in rows]


def flags_open_on(trainee_ids: Select, day: date) -> list[FlagRow]:
    """Flags raised before `day` and still open on it: neither cleared nor decided by then."""
    not_cleared = or_(ReadinessFlag.cleared_on.is_(None), ReadinessFlag.cleared_on > day)
    not_decided = or_(
        ReadinessFlag.decision.is_(None),
        and_(ReadinessFlag.decision_on.is_not(None), ReadinessFlag.decision_on > day),
    )
    rows = db.session.execute(
        select(ReadinessFlag.trainee_id, ReadinessFlag.role_id, TargetRole.name, ReadinessFlag.raised_on)
        .join(TargetRole, ReadinessFlag.role_id == TargetRole.id)
        .where(
            ReadinessFlag.trainee_id.in_(trainee_ids.scalar_subquery()),
            ReadinessFlag.raised_on < day, not_cleared, not_decided,
        )
        .order_by(ReadinessFlag.raised_on, *code_order(TargetRole))
    )
    return [FlagRow(*row) for row in rows]


def deferrals_to_revisit_between(trainee_ids: Select, first: date, last: date) -> list[DeferralRow]:
    """Deferrals whose revisit date falls between `first` and `last`, both included."""
    rows = db.session.execute(
        select(
            ReadinessFlag.trainee_id, TargetRole.name, ReadinessFlag.decision_on, ReadinessFlag.revisit_on,
            ReadinessFlag.decision_reason,
        )
        .join(TargetRole, ReadinessFlag.role_id == TargetRole.id)
        .where(
            ReadinessFlag.trainee_id.in_(trainee_ids.scalar_subquery()),
            ReadinessFlag.decision == "deferred", ReadinessFlag.revisit_on.between(first, last),
        )
        .order_by(ReadinessFlag.revisit_on, *code_order(TargetRole))
    )
    return [DeferralRow(*row) for row in rows]


def idle_trainees(trainee_ids: Select, day: date) -> dict[int, date | None]:
    """Trainees with no rotation covering any of the IDLE_DAYS before `day` and none ongoing.

    A day of leave counts as covered (SPEC), so leave within those days keeps a trainee off the list.
    Maps each to the end of their last rotation (None when they have had none).
    """
    window_start = day - timedelta(days=IDLE_DAYS)
    covering = exists().where(
        Rotation.trainee_id == Trainee.id,
        Rotation.start_date <= day,
        or_(Rotation.end_date.is_(None), Rotation.end_date >= window_start),
    )
    on_leave = exists().where(Leave.trainee_id == Trainee.id, Leave.start_date <= day, Leave.end_date >= window_start)
    last_end = select(func.max(Rotation.end_date)).where(Rotation.trainee_id == Trainee.id).scalar_subquery()
    rows = db.session.execute(
        select(Trainee.id, last_end).where(Trainee.id.in_(trainee_ids.scalar_subquery()), ~covering, ~on_leave)
    )
    return dict(rows.all())


def unrated_rotations(trainee_ids: Select, day: date) -> list[RotationRow]:
    """Rotations finished before `day` that still have no rating."""
    rows = db.session.execute(
        select(Rotation.trainee_id, JobType.name, Rotation.start_date, Rotation.end_date)
        .join(JobType, Rotation.job_type_id == JobType.id)
        .where(
            Rotation.trainee_id.in_(trainee_ids.scalar_subquery()),
            Rotation.end_date < day, Rotation.rating.is_(None),
        )
        .order_by(Rotation.end_date)
    )
    return [RotationRow(*row) for row in rows]


def rotations_ending_between(trainee_ids: Select, first: date, last: date) -> list[RotationRow]:
    """Rotations whose end date falls between `first` and `last`, both included."""
    rows = db.session.execute(
        select(Rotation.trainee_id, JobType.name, Rotation.start_date, Rotation.end_date)
        .join(JobType, Rotation.job_type_id == JobType.id)
        .where(Rotation.trainee_id.in_(trainee_ids.scalar_subquery()), Rotation.end_date.between(first, last))
        .order_by(Rotation.end_date)
    )
    return [RotationRow(*row) for row in rows]


def passes_with_validity(trainee_ids: Select, day: date) -> list[PassRow]:
    """Passing results, completed by `day`, of modules whose results lapse."""
    rows = db.session.execute(
        select(
            ModuleResult.trainee_id, TrainingModule.id, TrainingModule.name, TrainingModule.valid_months,
            ModuleResult.completed_on, ModuleResult.score,
        )
        .join(TrainingModule, ModuleResult.module_id == TrainingModule.id)
        .where(
            ModuleResult.trainee_id.in_(trainee_ids.scalar_subquery()),
            TrainingModule.valid_months.is_not(None),
            ModuleResult.score >= TrainingModule.pass_score,
            ModuleResult.completed_on <= day,
        )
    )
    return [PassRow(*row) for row in rows]

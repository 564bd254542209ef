"""Reading what a feed shows and whose feed a token opens (set-based: a few queries per feed)."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from tracker.auth.models import User
from tracker.catalog.models import JobType, TargetRole
from tracker.extensions import db
from tracker.feeds.models import CalendarToken
from tracker.feeds.rules import token_hash
from tracker.readiness.models import ReadinessFlag
from tracker.trainees.access import visible_trainees
from tracker.trainees.models import Leave, Rotation, Trainee


@dataclass(frozen=True)
class RotationRow:
    id: int
    trainee_id: int
    trainee_name: str
    job_type_name: str
    start: date
    end: date | None


@dataclass(frozen=True)
class LeaveRow:
    id: int
    trainee_id: int
    start: date
    end: date
    reason: str


@dataclass(frozen=True)
class FlagRow:
    id: int
    trainee_id: int
    trainee_name: str
    role_name: str
    raised_on: date


def active_token(user: User) -> CalendarToken | None:
    """The user's feed token in force, if any."""
    return db.session.scalar(
        select(CalendarToken).where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.id.desc()).limit(1)
    )


def owner_of(token: str) -> User | None:
    """The active user whose feed this token opens; None for an unknown or revoked token."""
    return db.session.scalar(
        select(User).join(CalendarToken, CalendarToken.user_id == User.id)
        .where(CalendarToken.token_hash == token_hash(token), CalendarToken.revoked_at.is_(None), User.active)
    )


def feed_scope(user: User) -> Select:
    """The trainees whose records a user's feed shows: their own, or (staff) the active trainees they may see."""
    scope = visible_trainees(user)
    return scope if user.is_trainee else scope.where(Trainee.status == "active")


def rotations_in(scope: Select) -> list[RotationRow]:
    """Every rotation of the trainees in scope, by start date (one query)."""
    rows = db.session.execute(
        select(Rotation.id, Trainee.id, User.name, JobType.name, Rotation.start_date, Rotation.end_date)
        .join(Trainee, Rotation.trainee_id == Trainee.id).join(User, Trainee.user_id == User.id)
        .join(JobType, Rotation.job_type_id == JobType.id)
        .where(Trainee.id.in_(scope.with_only_columns(Trainee.id).scalar_subquery()))
        .order_by(Rotation.start_date, Rotation.id)
    )
    return [RotationRow(*row) for row in rows]


def flags_awaiting_decision(scope: Select) -> list[FlagRow]:
    """Open flags (neither cleared nor decided) of the trainees in scope (one query)."""
    rows = db.session.execute(
        select(ReadinessFlag.id, Trainee.id, User.name, TargetRole.name, ReadinessFlag.raised_on)
        .join(Trainee, ReadinessFlag.trainee_id == Trainee.id).join(User, Trainee.user_id == User.id)
        .join(TargetRole, ReadinessFlag.role_id == TargetRole.id)
        .where(ReadinessFlag.cleared_on.is_(None), ReadinessFlag.decision.is_(None),
               Trainee.id.in_(scope.with_only_columns(Trainee.id).scalar_subquery()))
        .order_by(ReadinessFlag.raised_on, ReadinessFlag.id)
    )
    return [FlagRow(*row) for row in rows]


def leave_in(scope: Select) -> list[LeaveRow]:
    """Every spell of leave of the trainees in scope, by start date (one query)."""
    rows = db.session.execute(
        select(Leave.id, Leave.trainee_id, Leave.start_date, Leave.end_date, Leave.reason)
        .where(Leave.trainee_id.in_(scope.with_only_columns(Trainee.id).scalar_subquery()))
        .order_by(Leave.start_date, Leave.id)
    )
    return [LeaveRow(*row) for row in rows]

"""What needs a supervisor now: one set-based query per kind of item, never one per trainee.

Each function takes `trainee_ids`, a query of the ids of the active trainees in
scope (a supervisor's own, or the whole programme for an admin).
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.catalog.models import JobType, TargetRole, TrainingModule
from tracker.digest.queries import IDLE_DAYS
from tracker.extensions import db
from tracker.readiness.models import ReadinessFlag
from tracker.readiness.rules import validity
from tracker.trainees.models import ModuleResult, Rotation, Trainee


@dataclass(frozen=True)
class FlagWaiting:
    flag_id: int
    trainee_id: int
    trainee_name: str
    role_name: str
    raised_on: date
    days_waiting: int


@dataclass(frozen=True)
class IdleTrainee:
    trainee_id: int
    trainee_name: str
    last_end: date | None


@dataclass(frozen=True)
class RotationItem:
    rotation_id: int
    trainee_id: int
    trainee_name: str
    job_type_name: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class Lapsing:
    trainee_id: int
    trainee_name: str
    module_name: str
    completed_on: date
    score: Decimal
    valid_until: date  # the last day it counts


@dataclass(frozen=True)
class Revisit:
    flag_id: int
    trainee_id: int
    trainee_name: str
    role_name: str
    revisit_on: date
    reason: str | None


def trainee_name_join(query: Select, trainee_column) -> tuple[Select, type]:
    """Join the trainee and their user to a query; returns it and the user alias (for the name)."""
    person = aliased(User)
    return query.join(Trainee, Trainee.id == trainee_column).join(person, Trainee.user_id == person.id), person


def flags_waiting(trainee_ids: Select, today: date) -> list[FlagWaiting]:
    """Open flags (neither cleared nor decided), the longest waiting first."""
    query = select(ReadinessFlag.id, ReadinessFlag.trainee_id, TargetRole.name, ReadinessFlag.raised_on)
    query, person = trainee_name_join(query.join(TargetRole, ReadinessFlag.role_id == TargetRole.id), ReadinessFlag.trainee_id)
    rows = db.session.execute(
        query.add_columns(person.name)
        .where(
            ReadinessFlag.trainee_id.in_(trainee_ids.scalar_subquery()),
            ReadinessFlag.cleared_on.is_(None), ReadinessFlag.decision.is_(None),
        )
        .order_by(ReadinessFlag.raised_on, person.name, ReadinessFlag.id)
    )
    return [FlagWaiting(fid, tid, name, role, raised, (today - raised).days) for fid, tid, role, raised, name in rows]


def idle_trainees(trainee_ids: Select, today: date) -> list[IdleTrainee]:
    """No rotation covering any of the last IDLE_DAYS days and none ongoing (as the digest says)."""
    window_start = today - timedelta(days=IDLE_DAYS)
    covering = exists().where(
        Rotation.trainee_id == Trainee.id, Rotation.start_date <= today,
        or_(Rotation.end_date.is_(None), Rotation.end_date >= window_start),
    )
    last_end = (
        select(func.max(Rotation.end_date))
        .where(Rotation.trainee_id == Trainee.id, Rotation.start_date <= today)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Trainee.id, User.name, last_end)
        .join(User, Trainee.user_id == User.id)
        .where(Trainee.id.in_(trainee_ids.scalar_subquery()), ~covering)
        .order_by(User.name, Trainee.id)
    )
    return [IdleTrainee(*row) for row in rows]


def rotations_where(trainee_ids: Select, *conditions) -> list[RotationItem]:
    """Rotations of these trainees meeting `conditions`, by end date then trainee name."""
    query = select(Rotation.id, Rotation.trainee_id).join(JobType, Rotation.job_type_id == JobType.id)
    query, person = trainee_name_join(query, Rotation.trainee_id)
    rows = db.session.execute(
        query.add_columns(person.name, JobType.name, Rotation.start_date, Rotation.end_date)
        .where(Rotation.trainee_id.in_(trainee_ids.scalar_subquery()), *conditions)
        .order_by(Rotation.end_date, person.name, Rotation.id)
    )
    return [RotationItem(*row) for row in rows]


def rotations_to_rate(trainee_ids: Select, today: date) -> list[RotationItem]:
    """Rotations that have ended (end date before today) and have no rating yet."""
    return rotations_where(trainee_ids, Rotation.end_date < today, Rotation.rating.is_(None))


def rotations_ending(trainee_ids: Select, first: date, last: date) -> list[RotationItem]:
    """Rotations whose end date falls between `first` and `last`, both included."""
    return rotations_where(trainee_ids, Rotation.end_date.between(first, last))


def lapsing_results(trainee_ids: Select, today: date) -> list[Lapsing]:
    """Modules whose latest passing result stops counting within LAPSING_DAYS days (an older pass is covered by it)."""
    query = select(
        ModuleResult.trainee_id, TrainingModule.id, TrainingModule.name, TrainingModule.valid_months,
        ModuleResult.completed_on, ModuleResult.score,
    ).join(TrainingModule, ModuleResult.module_id == TrainingModule.id)
    query, person = trainee_name_join(query, ModuleResult.trainee_id)
    rows = db.session.execute(
        query.add_columns(person.name).where(
            ModuleResult.trainee_id.in_(trainee_ids.scalar_subquery()),
            TrainingModule.valid_months.is_not(None),
            ModuleResult.score >= TrainingModule.pass_score,
            ModuleResult.completed_on <= today,
        )
    )
    latest = {}
    for row in rows:
        key = (row[0], row[1])
        if key not in latest or (row.completed_on, row.score) > (latest[key].completed_on, latest[key].score):
            latest[key] = row
    items = []
    for trainee_id, _module_id, module, months, completed_on, score, name in latest.values():
        state = validity(completed_on, months, today)
        if state.state == "lapsing":
            items.append(Lapsing(trainee_id, name, module, completed_on, score, state.valid_until))
    return sorted(items, key=lambda item: (item.valid_until, item.trainee_name.lower()))


def deferrals_to_revisit(trainee_ids: Select, today: date, ahead: int = 7) -> list[Revisit]:
    """Deferrals whose revisit date has come (within the last IDLE_DAYS days) or comes within `ahead` days,
    for which no newer flag for the same trainee and role has been raised since."""
    later = aliased(ReadinessFlag)
    newer = exists().where(
        later.trainee_id == ReadinessFlag.trainee_id, later.role_id == ReadinessFlag.role_id,
        later.raised_on > ReadinessFlag.raised_on,
    )
    query = select(ReadinessFlag.id, ReadinessFlag.trainee_id).join(TargetRole, ReadinessFlag.role_id == TargetRole.id)
    query, person = trainee_name_join(query, ReadinessFlag.trainee_id)
    rows = db.session.execute(
        query.add_columns(person.name, TargetRole.name, ReadinessFlag.revisit_on, ReadinessFlag.decision_reason)
        .where(
            ReadinessFlag.trainee_id.in_(trainee_ids.scalar_subquery()),
            and_(ReadinessFlag.decision == "deferred", ReadinessFlag.revisit_on.is_not(None)),
            ReadinessFlag.revisit_on.between(today - timedelta(days=IDLE_DAYS), today + timedelta(days=ahead)),
            ~newer,
        )
        .order_by(ReadinessFlag.revisit_on, person.name)
    )
    return [Revisit(*row) for row in rows]

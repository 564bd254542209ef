"""The cross-training matrix: trainees by job types (completed weeks and latest rating) or by modules
(valid, lapsing, lapsed, none). One page of trainees at a time, in a fixed number of queries."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from tracker.auth.models import User
from tracker.catalog.models import JobType, TrainingModule, code_order
from tracker.extensions import db
from tracker.readiness.rules import validity
from tracker.trainees.models import ModuleResult, Rotation, Trainee

# Completed weeks at which a cell gets one shade darker.
SHADES = (1, 4, 8, 12, 20)


@dataclass(frozen=True)
class WeeksCell:
    days: int
    rating: int | None
    ongoing: bool

    @property
    def weeks(self) -> str:
        """Whole weeks, or one decimal below a whole week count: "8", "2.4"."""
        return str(self.days // 7) if self.days % 7 == 0 else f"{self.days / 7:.1f}"

    @property
    def shade(self) -> int:
        return sum(1 for limit in SHADES if self.days >= 7 * limit)


@dataclass(frozen=True)
class ModuleCell:
    state: str  # valid, lapsing, lapsed or none
    score: object = None
    valid_until: date | None = None


def ordered_trainees(scope: Select, cohort: str = "") -> Select:
    """The trainees in scope (of one cohort, if given), by name, with their users."""
    query = scope.join(User, Trainee.user_id == User.id).options(contains_eager(Trainee.user))
    if cohort:
        query = query.where(Trainee.cohort == cohort)
    return query.order_by(User.name, Trainee.id)


def job_types() -> list[JobType]:
    return list(db.session.scalars(select(JobType).where(JobType.active).order_by(*code_order(JobType))))


def modules() -> list[TrainingModule]:
    return list(db.session.scalars(select(TrainingModule).where(TrainingModule.active).order_by(*code_order(TrainingModule))))


def weeks_cells(trainee_ids: list[int], today: date) -> dict[tuple[int, int], WeeksCell]:
    """(trainee id, job type id) -> completed days, the latest rating, and whether one is running today (one query)."""
    days, latest, ongoing = defaultdict(int), {}, set()
    rows = db.session.execute(
        select(Rotation.trainee_id, Rotation.job_type_id, Rotation.start_date, Rotation.end_date, Rotation.rating)
        .where(Rotation.trainee_id.in_(trainee_ids), Rotation.start_date <= today)
    )
    for trainee_id, job_type_id, start, end, rating in rows:
        key = (trainee_id, job_type_id)
        if end is None or end > today:
            ongoing.add(key)
            continue
        days[key] += (end - start).days + 1
        if rating is not None and (key not in latest or end > latest[key][0]):
            latest[key] = (end, rating)
    keys = set(days) | ongoing
    return {key: WeeksCell(days.get(key, 0), latest.get(key, (None, None))[1], key in ongoing) for key in keys}


STATE_ORDER = {"none": 0, "lapsed": 1, "lapsing": 2, "valid": 3}


def module_cells(trainee_ids: list[int], today: date) -> dict[tuple[int, int], ModuleCell]:
    """(trainee id, module id) -> the best standing of the trainee's results of it (one query)."""
    found: dict[tuple[int, int], ModuleCell] = {}
    rows = db.session.execute(
        select(ModuleResult.trainee_id, ModuleResult.module_id, ModuleResult.completed_on, ModuleResult.score,
               TrainingModule.valid_months)
        .join(TrainingModule, ModuleResult.module_id == TrainingModule.id)
        .where(ModuleResult.trainee_id.in_(trainee_ids), ModuleResult.completed_on <= today)
    )
    for trainee_id, module_id, completed_on, score, months in rows:
        v = validity(completed_on, months, today)
        state = "valid" if v.state == "lasting" else v.state
        cell = ModuleCell(state, score, v.valid_until)
        best = found.get((trainee_id, module_id))
        if best is None or (STATE_ORDER[state], score) > (STATE_ORDER[best.state], best.score):
            found[(trainee_id, module_id)] = cell
    return found

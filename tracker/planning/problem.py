"""What the planner is given and what it proposes: plain data, no database.

The planner fills whole blocks of B weeks from a start date: block b covers
start + 7*B*b .. start + 7*B*(b+1) - 1, and only blocks that fit in the
horizon of N weeks are planned. Weeks to ready are counted from the start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from tracker.core.errors import TrackerError
from tracker.readiness.rules import CreditFact, ResultFact, RoleSpec, RotationFact

DEFAULT_BLOCK_WEEKS = 4


class PlanError(TrackerError):
    """A plan that cannot be proposed: bad dates or horizon, or nothing to plan on."""


@dataclass(frozen=True)
class Period:
    """Days a trainee is away or already placed, inclusive; end None: open-ended."""

    start: date
    end: date | None

    def touches(self, first: date, last: date) -> bool:
        """Whether any day of first..last is in this period."""
        return self.start <= last and (self.end is None or self.end >= first)


@dataclass(frozen=True)
class TraineeInput:
    """One trainee in scope, with their facts and first target role.

    `unavailable` holds leave and any other period the trainee cannot be planned in;
    the trainee's own rotations are never planned over either, given here or not.
    `credits` (prior learning) count as the readiness rules count them; they take no days.
    """

    id: int
    role: RoleSpec
    rotations: tuple[RotationFact, ...] = ()
    results: tuple[ResultFact, ...] = ()
    unavailable: tuple[Period, ...] = ()
    credits: tuple[CreditFact, ...] = ()

    def busy_periods(self) -> list[Period]:
        """Every period the trainee cannot be given a rotation in."""
        return [*self.unavailable, *(Period(r.start_date, r.end_date) for r in self.rotations)]


@dataclass(frozen=True)
class JobTypeInput:
    """An active job type; capacity None is unlimited.

    `taken` counts the rotations already on it on each day of the horizon (absent days: none),
    so that a proposal never puts more trainees than its capacity on any day.
    """

    id: int
    name: str
    capacity: int | None
    taken: Mapping[date, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanInput:
    """Everything one planning run needs.

    `as_of` is the date forecasts are made at (today, when wired to the database); it
    defaults to the start. Rotations ending after it are taken as rated high enough.
    """

    start: date
    weeks: int
    trainees: tuple[TraineeInput, ...]
    job_types: tuple[JobTypeInput, ...]
    block_weeks: int = DEFAULT_BLOCK_WEEKS
    as_of: date | None = None

    @property
    def forecast_from(self) -> date:
        """The date forecasts are made at."""
        return self.as_of or self.start

    @property
    def block_count(self) -> int:
        """Whole blocks that fit in the horizon."""
        return self.weeks // self.block_weeks

    @property
    def block_days(self) -> int:
        """Days in one block."""
        return 7 * self.block_weeks

    @property
    def horizon_end(self) -> date:
        """The horizon's last day."""
        return self.start + timedelta(days=7 * self.weeks - 1)

    def block_first(self, block: int) -> date:
        """The first day of a block."""
        return self.start + timedelta(days=self.block_days * block)

    def block_last(self, block: int) -> date:
        """The last day of a block."""
        return self.start + timedelta(days=self.block_days * (block + 1) - 1)

    def check(self) -> None:
        """Refuse a horizon or dates that cannot be planned, naming the field."""
        if self.block_weeks < 1:
            raise PlanError("Blocks must be at least one week long.", "block_weeks")
        if self.weeks < self.block_weeks:
            raise PlanError(
                f"The horizon of {self.weeks} weeks is shorter than one block of {self.block_weeks} weeks.", "weeks"
            )
        if self.forecast_from > self.start:
            raise PlanError("A plan cannot start before the date it is made.", "start")
        if not self.job_types:
            raise PlanError("There are no active job types to plan rotations on.")
        if len({t.id for t in self.trainees}) < len(self.trainees) or len({j.id for j in self.job_types}) < len(self.job_types):
            raise ValueError("each trainee and job type appears once in a plan's input")


@dataclass(frozen=True)
class ProposedRotation:
    """One rotation the planner proposes: a whole block on one job type."""

    job_type_id: int
    start_date: date
    end_date: date

    def as_fact(self) -> RotationFact:
        """The rotation as readiness will see it once accepted (planned, so not rated)."""
        return RotationFact(self.job_type_id, self.start_date, self.end_date, None)


@dataclass(frozen=True)
class TraineeProposal:
    """The proposal for one trainee and what the forecast says of it.

    `ready_on` and `missing` are the forecast rule run on the trainee's facts plus the
    proposed rotations, exactly what `readiness forecast` gives once they are accepted.
    `modules_missing` are the module sentences rotations cannot close. Weeks to ready
    count from the start; a trainee not ready within the horizon counts as the horizon
    plus the rotation weeks still missing at its end (see planning.outcome).
    """

    trainee_id: int
    role_code: str
    rotations: tuple[ProposedRotation, ...]
    ready_on_before: date | None
    ready_on: date | None
    missing: tuple[str, ...]
    modules_missing: tuple[str, ...]
    weeks_before: Fraction
    weeks_after: Fraction
    ready_in_horizon: bool


@dataclass(frozen=True)
class Proposal:
    """A whole proposal and how it was found.

    `baseline` is the greedy plan's outcome (the same as `trainees` when it is the one returned).
    `status` is CP-SAT's: OPTIMAL, FEASIBLE, or UNKNOWN when it found nothing in time (then
    `plan_from` is "greedy": the baseline plan is returned). `plan_from` is also "greedy" when
    the baseline's forecast was at least as good. Weeks are the sum over trainees of weeks to
    ready for the first target role, by the forecast; `bound_weeks` is the solver's lower
    bound on its own block-level estimate of that sum, and `gap` its relative gap.
    """

    trainees: tuple[TraineeProposal, ...]
    baseline: tuple[TraineeProposal, ...]
    status: str
    plan_from: str
    weeks_before: Fraction
    weeks_after: Fraction
    bound_weeks: Fraction | None
    gap: float | None
    solve_seconds: float
    seconds: float

    @property
    def rotations(self) -> list[tuple[int, ProposedRotation]]:
        """Every proposed rotation with its trainee's id, in trainee then date order."""
        return [(t.trainee_id, r) for t in self.trainees for r in t.rotations]

    @property
    def ready_within_horizon(self) -> int:
        """How many trainees the proposal gets ready within the horizon."""
        return sum(1 for t in self.trainees if t.ready_in_horizon)

    @property
    def greedy_weeks(self) -> Fraction:
        """The greedy baseline's sum of weeks to ready."""
        return sum((t.weeks_after for t in self.baseline), Fraction(0))

    @property
    def greedy_ready_within_horizon(self) -> int:
        """How many trainees the greedy baseline gets ready within the horizon."""
        return sum(1 for t in self.baseline if t.ready_in_horizon)


def weeks_until(ready_on: date, start: date) -> Fraction:
    """Weeks to ready counted from the start: 0 when ready by the start, else the days from it through ready_on."""
    return Fraction((ready_on - start).days + 1, 7) if ready_on > start else Fraction(0)


def count_by_day(periods: Iterable[tuple[date, date | None]], first: date, last: date) -> dict[date, int]:
    """How many of the periods (inclusive; end None open-ended) cover each day of first..last."""
    counts: dict[date, int] = {}
    for start, end in periods:
        day = max(start, first)
        stop = last if end is None else min(end, last)
        while day <= stop:
            counts[day] = counts.get(day, 0) + 1
            day += timedelta(days=1)
    return counts

"""What each trainee still lacks, in the terms the planner counts: days per job type, blocks, places.

Built from the readiness rules' own helpers (days_by_job_type, latest_rating,
best_score and module_criterion, with credits counted by credited_rotations and
exemptions) on the trainee's facts with ratings assumed as the forecast assumes
them, at each block's last day. Both the greedy baseline and
the CP-SAT model read these numbers, so they plan against the same gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.planning.problem import PlanInput, TraineeInput
from tracker.readiness.rules import (
    RoleSpec,
    best_score,
    credited_rotations,
    days_by_job_type,
    exemptions,
    forecast,
    is_completed,
    latest_rating,
    module_criterion,
    ratings_assumed,
)


def ceil_div(a: int, b: int) -> int:
    """a / b rounded up, for a >= 0."""
    return -(-a // b)


@dataclass(frozen=True)
class Standing:
    """What the trainee's existing facts give at one date."""

    days: Mapping[int, int]  # completed days per job type
    rated: frozenset[int]  # job types whose rating requirements are met
    modules_met: bool


@dataclass(frozen=True)
class RoleNeeds:
    """A role's rotation requirements in days and job types."""

    days: Mapping[int, int]  # job type -> 7 * min_weeks, for min_weeks > 0
    ratings: Mapping[int, int]  # job type -> the highest min_rating on it
    total_days: int
    distinct: int

    @classmethod
    def of(cls, role: RoleSpec) -> RoleNeeds:
        """The needs of a role."""
        days: dict[int, int] = {}
        ratings: dict[int, int] = {}
        for req in role.rotation_requirements:
            if req.min_weeks > 0:
                days[req.job_type_id] = max(days.get(req.job_type_id, 0), 7 * req.min_weeks)
            if req.min_rating is not None:
                ratings[req.job_type_id] = max(ratings.get(req.job_type_id, 0), req.min_rating)
        return cls(days, ratings, 7 * role.min_total_weeks, role.min_distinct_job_types)


@dataclass(frozen=True)
class TraineeGap:
    """One trainee's gap to their first target role over the horizon.

    `by_block[b]` is the standing at block b's last day and `at_end` at the horizon's last
    day, from existing facts only. `useful` are the job types worth planning at all, and
    `most_blocks` (when set) the most blocks worth planning on each of them.
    """

    trainee: TraineeInput
    needs: RoleNeeds
    block_days: int
    by_block: tuple[Standing, ...]
    at_end: Standing
    open_blocks: tuple[int, ...]
    useful: tuple[int, ...]
    most_blocks: Mapping[int, int] | None
    ready_on_before: date | None
    needs_plan: bool

    def blocks_needed(self, standing: Standing, planned: Mapping[int, int]) -> int:
        """The fewest more blocks that could meet every rotation criterion, given blocks planned per job type."""
        needs, bd = self.needs, self.block_days
        per_job = 0
        new_required = 0
        for job, need in needs.days.items():
            more = ceil_div(max(0, need - standing.days.get(job, 0) - bd * planned.get(job, 0)), bd)
            per_job += more
            new_required += more > 0 and job not in standing.days and not planned.get(job)
        for job in needs.ratings:
            if job not in standing.rated and not planned.get(job) and not self._weeks_short(job, standing, planned):
                per_job += 1
                new_required += job not in standing.days
        have = sum(standing.days.values()) + bd * sum(planned.values())
        total = ceil_div(max(0, needs.total_days - have), bd)
        seen = len(standing.days.keys() | {job for job, n in planned.items() if n})
        distinct = max(0, needs.distinct - seen)
        return max(total, per_job + max(0, distinct - new_required))

    def _weeks_short(self, job: int, standing: Standing, planned: Mapping[int, int]) -> bool:
        """Whether the job type still needs weeks (a block for those meets its rating too)."""
        need = self.needs.days.get(job, 0)
        return need > standing.days.get(job, 0) + self.block_days * planned.get(job, 0)

    def shortfall_days(self, planned: Mapping[int, int]) -> int:
        """Rotation days still missing at the horizon's end: max(total shortfall, sum of per-job-type shortfalls)."""
        days, bd = self.at_end.days, self.block_days
        per_job = sum(max(0, need - days.get(j, 0) - bd * planned.get(j, 0)) for j, need in self.needs.days.items())
        total = max(0, self.needs.total_days - sum(days.values()) - bd * sum(planned.values()))
        return max(total, per_job)

    def ready_blocks(self, plan: Mapping[int, int]) -> list[bool]:
        """Per block, whether the model counts the trainee ready at its end under a plan {block: job type}.

        Ready at b: ready at an earlier block end, or every rotation criterion met at b's
        end and the modules valid there.
        """
        ready, planned = [], {}
        for block, standing in enumerate(self.by_block):
            if block in plan:
                planned[plan[block]] = planned.get(plan[block], 0) + 1
            now = standing.modules_met and self.blocks_needed(standing, planned) == 0
            ready.append(bool(ready and ready[-1]) or now)
        return ready


def standing_at(role: RoleSpec, needs: RoleNeeds, trainee: TraineeInput, rotations, day: date) -> Standing:
    """The standing at one date, by the readiness rules' helpers."""
    completed = [r for r in rotations if is_completed(r, day)]
    rated = frozenset(
        job for job, need in needs.ratings.items()
        if (latest := latest_rating(completed, job)) is not None and latest >= need
    )
    exempt = exemptions(trainee.credits, day)
    modules_met = all(
        module_criterion(need, best_score(trainee.results, need, day), exempt.get(need.module_id)).met
        for need in role.module_requirements
    )
    return Standing(days_by_job_type(completed), rated, modules_met)


def blocked_blocks(problem: PlanInput, trainee: TraineeInput) -> set[int]:
    """Blocks any of the trainee's rotations or leave touches."""
    periods = trainee.busy_periods()
    return {
        b for b in range(problem.block_count)
        if any(p.touches(problem.block_first(b), problem.block_last(b)) for p in periods)
    }


def useful_job_types(problem: PlanInput, needs: RoleNeeds, start: Standing) -> tuple[tuple[int, ...], dict[int, int] | None]:
    """The job types worth planning for a trainee, and (when only required ones are) the most blocks on each.

    Job types no requirement names help only while the total or distinct criteria ask
    for more than the required job types will bring anyway.
    """
    short = {j: max(0, need - start.days.get(j, 0)) for j, need in needs.days.items()}
    open_required = {j for j, s in short.items() if s} | {j for j in needs.ratings if j not in start.rated}
    total_short = max(0, needs.total_days - sum(start.days.values()))
    distinct_short = max(0, needs.distinct - len(start.days))
    others_help = total_short > sum(short.values()) or distinct_short > len(open_required - start.days.keys())
    useful = tuple(jt.id for jt in problem.job_types if others_help or jt.id in open_required)
    if others_help:
        return useful, None
    return useful, {j: max(ceil_div(short.get(j, 0), problem.block_days), j in needs.ratings) for j in useful}


def trainee_gap(problem: PlanInput, trainee: TraineeInput) -> TraineeGap:
    """Everything the planner needs to know about one trainee's gap."""
    role, as_of = trainee.role, problem.forecast_from
    needs = RoleNeeds.of(role)
    rotations = [*ratings_assumed(role, trainee.rotations, as_of), *credited_rotations(trainee.credits)]
    by_block = tuple(
        standing_at(role, needs, trainee, rotations, problem.block_last(b)) for b in range(problem.block_count)
    )
    at_end = standing_at(role, needs, trainee, rotations, problem.horizon_end)
    useful, most_blocks = useful_job_types(problem, needs, standing_at(role, needs, trainee, rotations, problem.start))
    ready_on_before = forecast(role, trainee.rotations, trainee.results, as_of, trainee.credits).ready_on
    open_blocks = tuple(sorted(set(range(problem.block_count)) - blocked_blocks(problem, trainee)))
    done_early = ready_on_before is not None and ready_on_before <= problem.block_last(0)
    return TraineeGap(
        trainee, needs, problem.block_days, by_block, at_end, open_blocks, useful, most_blocks,
        ready_on_before, needs_plan=bool(useful and open_blocks) and not done_early,
    )


def free_places(problem: PlanInput) -> dict[tuple[int, int], int | None]:
    """Places left on each (job type, block): capacity less the most rotations already on it on any day; None: unlimited."""
    free: dict[tuple[int, int], int | None] = {}
    for jt in problem.job_types:
        for b in range(problem.block_count):
            if jt.capacity is None:
                free[jt.id, b] = None
                continue
            first = problem.block_first(b)
            busiest = max((jt.taken.get(first + timedelta(days=i), 0) for i in range(problem.block_days)), default=0)
            free[jt.id, b] = max(0, jt.capacity - busiest)
    return free

"""What a plan gives each trainee, by the forecast rule itself (not by the model's blocks).

Weeks to ready for one trainee: weeks_until(ready_on) when the forecast is
ready within the horizon; otherwise the horizon's weeks plus the rotation weeks
still missing at its end (max of the total shortfall and the summed per-job-type
shortfalls), so a plan that shrinks a gap it cannot close still scores better.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from fractions import Fraction

from tracker.planning.gaps import TraineeGap
from tracker.planning.problem import (
    PlanInput,
    ProposedRotation,
    TraineeProposal,
    weeks_until,
)
from tracker.readiness.rules import forecast


def proposed_rotations(problem: PlanInput, plan: Mapping[int, int]) -> tuple[ProposedRotation, ...]:
    """A plan {block: job type} as rotations in date order."""
    return tuple(
        ProposedRotation(job, problem.block_first(block), problem.block_last(block)) for block, job in sorted(plan.items())
    )


def weeks_to_ready(problem: PlanInput, gap: TraineeGap, ready_on: date | None, plan: Mapping[int, int]) -> Fraction:
    """One trainee's weeks to ready on a plan, as the planner minimises them."""
    if ready_on is not None and ready_on <= problem.horizon_end:
        return weeks_until(ready_on, problem.start)
    planned: dict[int, int] = {}
    for job in plan.values():
        planned[job] = planned.get(job, 0) + 1
    return problem.weeks + Fraction(gap.shortfall_days(planned), 7)


def trainee_outcome(problem: PlanInput, gap: TraineeGap, plan: Mapping[int, int]) -> TraineeProposal:
    """The forecast before and after a plan for one trainee.

    Rotations starting after the forecast ready_on cannot bring it sooner, so they are dropped.
    """
    trainee, as_of = gap.trainee, problem.forecast_from
    rotations = proposed_rotations(problem, plan)
    after = forecast(
        trainee.role, trainee.rotations + tuple(r.as_fact() for r in rotations), trainee.results, as_of, trainee.credits
    )
    if after.ready_on is not None:
        rotations = tuple(r for r in rotations if r.start_date <= after.ready_on)
        plan = {b: j for b, j in plan.items() if problem.block_first(b) <= after.ready_on}
    modules = () if after.ready_on is not None else tuple(
        c.missing for c in after.evaluation.criteria if c.kind == "module_score" and not c.met and c.missing
    )
    return TraineeProposal(
        trainee_id=trainee.id,
        role_code=trainee.role.code,
        rotations=rotations,
        ready_on_before=gap.ready_on_before,
        ready_on=after.ready_on,
        missing=after.missing,
        modules_missing=modules,
        weeks_before=weeks_to_ready(problem, gap, gap.ready_on_before, {}),
        weeks_after=weeks_to_ready(problem, gap, after.ready_on, plan),
        ready_in_horizon=after.ready_on is not None and after.ready_on <= problem.horizon_end,
    )


def outcomes(
    problem: PlanInput,
    gaps: list[TraineeGap],
    plans: Mapping[int, Mapping[int, int]],
    known: Mapping[tuple, TraineeProposal] | None = None,
) -> list[TraineeProposal]:
    """Every trainee's outcome under plans {trainee id: {block: job type}}, in input order.

    `known` holds outcomes already worked out, by (trainee id, sorted plan items).
    """
    known = known or {}
    result = []
    for g in gaps:
        plan = plans.get(g.trainee.id, {})
        key = (g.trainee.id, tuple(sorted(plan.items())))
        result.append(known[key] if key in known else trainee_outcome(problem, g, plan))
    return result

"""Propose rotations: the greedy baseline, CP-SAT from it within a time limit, the forecast on the better one."""

from __future__ import annotations

import time
from fractions import Fraction

from tracker.planning.gaps import TraineeGap, free_places, trainee_gap
from tracker.planning.greedy import greedy_plans
from tracker.planning.outcome import outcomes
from tracker.planning.problem import PlanError, PlanInput, Proposal, TraineeProposal

DEFAULT_SECONDS = 10.0


def propose(problem: PlanInput, seconds: float = DEFAULT_SECONDS, workers: int = 2) -> Proposal:
    """The proposal for every trainee in the input, found within about `seconds`.

    CP-SAT starts from the greedy plan; whichever of the two the forecast scores better
    (fewer weeks to ready, then fewer rotations) is returned, so never worse than greedy.
    """
    began = time.monotonic()
    problem.check()
    if seconds <= 0:
        raise PlanError("The time limit must be more than 0 seconds.", "seconds")
    from tracker.planning.solver import solve  # OR-Tools loads when a plan is asked for, not with the app (0.3 s, 50 MB)

    gaps = [trainee_gap(problem, t) for t in problem.trainees]
    free = free_places(problem)
    check_places(problem, gaps, free)
    greedy = greedy_plans(gaps, free)
    forecasting = time.monotonic()
    baseline = outcomes(problem, gaps, greedy)
    # the solver's plan needs its forecast too, which takes about as long, and CP-SAT can stop
    # a little late under load: keep both aside
    slack = min(0.5, seconds / 20)
    left = seconds - (time.monotonic() - began) - (time.monotonic() - forecasting) - slack
    result = solve(problem, gaps, free, greedy, left, workers)
    chosen, plan_from = baseline, "greedy"
    if result.plans is not None:
        found = outcomes(problem, gaps, result.plans, known=dict(zip(greedy_keys(gaps, greedy), baseline, strict=True)))
        if score(found) <= score(baseline):
            chosen, plan_from = found, "cp-sat"
    modelled = {g.trainee.id for g in gaps if g.needs_plan}
    fixed = sum((t.weeks_before for t in chosen if t.trainee_id not in modelled), Fraction(0))
    return Proposal(
        trainees=tuple(chosen),
        baseline=tuple(baseline),
        status=result.status,
        plan_from=plan_from,
        weeks_before=sum((t.weeks_before for t in chosen), Fraction(0)),
        weeks_after=sum((t.weeks_after for t in chosen), Fraction(0)),
        bound_weeks=None if result.bound_days is None else fixed + Fraction(result.bound_days, 7),
        gap=result.gap,
        solve_seconds=result.seconds,
        seconds=time.monotonic() - began,
    )


def greedy_keys(gaps: list[TraineeGap], plans) -> list[tuple]:
    """Each trainee's plan as a key, to reuse a forecast where the solver kept greedy's plan."""
    return [(g.trainee.id, tuple(sorted(plans.get(g.trainee.id, {}).items()))) for g in gaps]


def score(trainees: list[TraineeProposal]) -> tuple[Fraction, int]:
    """What the planner minimises: weeks to ready summed, then rotations."""
    return sum((t.weeks_after for t in trainees), Fraction(0)), sum(len(t.rotations) for t in trainees)


def check_places(problem: PlanInput, gaps: list[TraineeGap], free) -> None:
    """Refuse a horizon with no free place on any job type a trainee needs."""
    wanted = {j for g in gaps if g.needs_plan for j in g.useful}
    if not wanted:
        return
    if not any(free[j, b] != 0 for j in wanted for b in range(problem.block_count)):
        last = problem.block_last(problem.block_count - 1)
        raise PlanError(
            f"No job type the trainees need has a free place between {problem.start} and {last}: nothing can be planned."
        )


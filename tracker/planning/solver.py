"""The CP-SAT model: one job type or none per trainee and block, ready as early as the places allow.

Variables (only where they can help):
- x[t,b,j]: trainee t spends block b on job type j - only for blocks t is free in, job types
  with a place left in b, and job types worth planning for t (gaps.useful_job_types);
- r[t,b]: t counts as ready at block b's end - only where the blocks still needed fit in the
  open blocks so far; monotone (r[t,b] => r[t,b+1]), and where t's modules are not valid at
  b's end, r[t,b] => r[t,b-1] (readiness can only have started earlier);
- seen[t,j,b]: t has done job type j by block b, for the distinct criterion.
Readiness at b's end, as linear constraints on the blocks planned up to b (every planned
block adds 7*B days, so "days >= need" is "blocks >= ceil(shortfall / 7*B)"):
  weeks per job type, rating (one block on the job type), total weeks, distinct job types.
Capacity: per job type and block, planned trainees <= the places left on its busiest day.

Objective, in days, lexicographic before the number of rotations:
  sum_t [7B * (1 + sum_{b < K-1} (1 - r[t,b])) + 7(N - K*B) * (1 - r[t,K-1]) + shortfall_t]
(ready at b's end: 7B*(b+1) days, the forecast's weeks to ready for a block's last day)
where shortfall_t = max(total shortfall, sum of per-job-type shortfalls) at the horizon's end
(zero for a trainee ready in the model) - so a trainee not ready counts as the horizon plus
the weeks still missing, in days.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from tracker.planning.gaps import TraineeGap, ceil_div
from tracker.planning.greedy import Plans
from tracker.planning.problem import PlanInput


@dataclass(frozen=True)
class SolverResult:
    """What CP-SAT found: plans (None when nothing in time), its status and bound, in model days."""

    plans: Plans | None
    status: str
    objective_days: int | None
    bound_days: int | None
    seconds: float

    @property
    def gap(self) -> float | None:
        """The relative gap between the solution and the bound (0 when proven optimal)."""
        if self.objective_days is None or self.bound_days is None:
            return None
        if self.objective_days <= 0:
            return 0.0
        return max(0.0, (self.objective_days - self.bound_days) / self.objective_days)


class TraineeModel:
    """One trainee's variables and constraints in the shared model."""

    def __init__(self, model: cp_model.CpModel, problem: PlanInput, gap: TraineeGap, free):
        self.model, self.problem, self.gap = model, problem, gap
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.r: list[cp_model.IntVar | None] = []
        self.seen: dict[tuple[int, int], cp_model.IntVar] = {}
        self.shortfall: cp_model.LinearExprT = 0
        self.short_vars: list[tuple[cp_model.IntVar, str, int | None]] = []
        self.add_choices(free)
        self.add_readiness()
        self.add_shortfall()

    def add_choices(self, free) -> None:
        """x per open block and useful job type with a place; at most one per block."""
        tid = self.gap.trainee.id
        for b in self.gap.open_blocks:
            here = []
            for j in self.gap.useful:
                if free[j, b] != 0:
                    self.x[b, j] = var = self.model.new_bool_var(f"x_{tid}_{b}_{j}")
                    here.append(var)
            if len(here) > 1:
                self.model.add_at_most_one(here)
        if self.gap.most_blocks is not None:
            for j, most in self.gap.most_blocks.items():
                chosen = self.on(j)
                if len(chosen) > most:
                    self.model.add(cp_model.LinearExpr.sum(chosen) <= most)

    def upto(self, block: int, job: int | None = None) -> list[cp_model.IntVar]:
        """The x variables up to a block, of one job type or all."""
        return [v for (b, j), v in self.x.items() if b <= block and (job is None or j == job)]

    def on(self, job: int) -> list[cp_model.IntVar]:
        """The x variables of one job type."""
        return [v for (_, j), v in self.x.items() if j == job]

    def add_readiness(self) -> None:
        """r per block where readiness is possible, with its criteria as linear constraints."""
        gap, model, tid = self.gap, self.model, self.gap.trainee.id
        open_so_far = 0
        for b, standing in enumerate(gap.by_block):
            open_so_far += any(bb == b for bb, _ in self.x)
            previous = self.r[-1] if self.r else None
            possible = gap.blocks_needed(standing, {}) <= open_so_far
            if previous is None and not (possible and standing.modules_met):
                self.r.append(None)
                continue
            r = model.new_bool_var(f"r_{tid}_{b}")
            self.r.append(r)
            if previous is not None:
                model.add_implication(previous, r)
                if not standing.modules_met:
                    model.add_implication(r, previous)
            self.add_criteria(b, r, standing)
        for (b, _), x in self.x.items():
            if b and self.r[b - 1] is not None:
                model.add_implication(self.r[b - 1], ~x)  # nothing after ready: it cannot help

    def add_criteria(self, b: int, r, standing) -> None:
        """Every rotation criterion met at block b's end when r holds."""
        gap, model, bd = self.gap, self.model, self.problem.block_days
        needs = gap.needs
        for j, need in needs.days.items():
            k = ceil_div(max(0, need - standing.days.get(j, 0)), bd)
            if k:
                model.add(cp_model.LinearExpr.sum(self.upto(b, j)) >= k * r)
        for j in needs.ratings:
            if j not in standing.rated and needs.days.get(j, 0) <= standing.days.get(j, 0):
                model.add(cp_model.LinearExpr.sum(self.upto(b, j)) >= r)
        k = ceil_div(max(0, needs.total_days - sum(standing.days.values())), bd)
        if k:
            model.add(cp_model.LinearExpr.sum(self.upto(b)) >= k * r)
        missing = needs.distinct - len(standing.days)
        if missing > len(self.required_new(standing)):
            seen = []
            for j in {job for (bb, job) in self.x if bb <= b and job not in standing.days}:
                self.seen[j, b] = var = model.new_bool_var(f"seen_{gap.trainee.id}_{j}_{b}")
                model.add(var <= cp_model.LinearExpr.sum(self.upto(b, j)))
                seen.append(var)
            model.add(cp_model.LinearExpr.sum(seen) >= missing * r)

    def required_new(self, standing) -> set[int]:
        """Job types not yet done that readiness at this standing needs a block on anyway.

        When they are as many as the distinct job types still missing, the distinct
        criterion follows from theirs and needs no variables.
        """
        needs = self.gap.needs
        weeks = {j for j, need in needs.days.items() if need > standing.days.get(j, 0)}
        ratings = {j for j in needs.ratings if j not in standing.rated}
        return (weeks | ratings) - standing.days.keys()

    def add_shortfall(self) -> None:
        """shortfall >= the total and the summed per-job-type days still missing at the horizon's end."""
        gap, model, bd = self.gap, self.model, self.problem.block_days
        end = gap.at_end.days
        per_job = []
        for j, need in gap.needs.days.items():
            short = need - end.get(j, 0)
            if short > 0:
                s = model.new_int_var(0, short, f"short_{gap.trainee.id}_{j}")
                model.add(s + bd * cp_model.LinearExpr.sum(self.on(j)) >= short)
                per_job.append(s)
                self.short_vars.append((s, "job", j))
        total_short = gap.needs.total_days - sum(end.values())
        parts = [cp_model.LinearExpr.sum(per_job)] if per_job else []
        if total_short > 0:
            s = model.new_int_var(0, total_short, f"total_{gap.trainee.id}")
            model.add(s + bd * cp_model.LinearExpr.sum(list(self.x.values())) >= total_short)
            parts.append(s)
            self.short_vars.append((s, "total", None))
        if len(parts) == 2:
            most = model.new_int_var(0, max(total_short, sum(gap.needs.days.values())), f"shortfall_{gap.trainee.id}")
            model.add(most >= parts[0])
            model.add(most >= parts[1])
            self.shortfall = most
            self.short_vars.append((most, "max", None))
        elif parts:
            self.shortfall = parts[0]

    def days_terms(self) -> tuple[int, list[tuple[int, cp_model.IntVar]]]:
        """The trainee's days to ready as a constant less weighted r's (plus the shortfall, added apart).

        Block b counts (7B days) unless ready before it: ready at b's end is 7B*(b+1) days;
        never ready is every block plus the horizon's tail.
        """
        problem, bd = self.problem, self.problem.block_days
        tail = 7 * problem.weeks - bd * problem.block_count
        last = len(self.r) - 1
        weights = [(bd if b < last else tail, r) for b, r in enumerate(self.r)]
        constant = bd + sum(w for w, _ in weights)
        return constant, [(w, r) for w, r in weights if r is not None and w]

    def hint(self, plan: Mapping[int, int]) -> None:
        """Start the search from a plan {block: job type}, every variable hinted."""
        for (b, j), v in self.x.items():
            self.model.add_hint(v, plan.get(b) == j)
        for b, ready in enumerate(self.gap.ready_blocks(plan)):
            if self.r[b] is not None:
                self.model.add_hint(self.r[b], ready)
        for (j, b), v in self.seen.items():
            self.model.add_hint(v, any(job == j and bb <= b for bb, job in plan.items()))
        planned: dict[int, int] = {}
        for job in plan.values():
            planned[job] = planned.get(job, 0) + 1
        end, bd = self.gap.at_end.days, self.problem.block_days
        for var, kind, j in self.short_vars:
            if kind == "job":
                value = max(0, self.gap.needs.days[j] - end.get(j, 0) - bd * planned.get(j, 0))
            elif kind == "total":
                value = max(0, self.gap.needs.total_days - sum(end.values()) - bd * sum(planned.values()))
            else:
                value = self.gap.shortfall_days(planned)
            self.model.add_hint(var, value)

    def plan(self, solver: cp_model.CpSolver) -> dict[int, int]:
        """The solution's plan {block: job type}."""
        return {b: j for (b, j), v in self.x.items() if solver.boolean_value(v)}


@dataclass
class Model:
    """The whole CP-SAT model: per-trainee parts and the objective's weight on days."""

    cp: cp_model.CpModel
    trainees: list[TraineeModel]
    weight: int

    @property
    def rotations(self) -> list[cp_model.IntVar]:
        """Every x variable."""
        return [v for t in self.trainees for v in t.x.values()]


def build(problem: PlanInput, gaps: list[TraineeGap], free: Mapping[tuple[int, int], int | None], hint: Plans) -> Model:
    """The model for the trainees who need a plan, its objective, and the hint."""
    model = cp_model.CpModel()
    trainees = [TraineeModel(model, problem, g, free) for g in gaps if g.needs_plan]
    add_capacity(model, trainees, free)
    rotations = [v for t in trainees for v in t.x.values()]
    weight = len(rotations) + 1  # one day sooner for anyone outweighs every rotation saved
    constant, exprs, coefs = 0, list(rotations), [1] * len(rotations)
    for t in trainees:
        c, weighted = t.days_terms()
        constant += c
        exprs += [r for _, r in weighted] + [t.shortfall]
        coefs += [-w * weight for w, _ in weighted] + [weight]
    model.minimize(cp_model.LinearExpr.weighted_sum(exprs, coefs) + weight * constant)
    for t in trainees:
        t.hint(hint.get(t.gap.trainee.id, {}))
    return Model(model, trainees, weight)


def solve(
    problem: PlanInput,
    gaps: list[TraineeGap],
    free: Mapping[tuple[int, int], int | None],
    hint: Plans,
    seconds: float,
    workers: int = 2,
) -> SolverResult:
    """Build and solve the model within `seconds` (building included), starting from the hint."""
    began = time.monotonic()
    model = build(problem, gaps, free, hint)
    left = seconds - (time.monotonic() - began)
    if left < MIN_SEARCH_SECONDS:  # loading the model alone would overrun the limit
        return SolverResult(None, "UNKNOWN", None, None, time.monotonic() - began)
    solver = cp_model.CpSolver()
    configure(solver.parameters, left, workers, len(model.rotations))
    status = solver.solve(model.cp)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SolverResult(None, name, None, None, time.monotonic() - began)
    plans = {t.gap.trainee.id: t.plan(solver) for t in model.trainees}
    weight = model.weight
    return SolverResult(
        # objective = weight * days + rotations, rotations < weight: whole days are the quotients
        plans, name, int(solver.objective_value) // weight, math.floor(solver.best_objective_bound) // weight,
        time.monotonic() - began,
    )


# Less time than this left once the model is built: not worth starting the search.
MIN_SEARCH_SECONDS = 0.2
# Above this many x variables presolve is skipped: on 2 shared cores it alone can outlast the time limit.
LARGE_MODEL = 15_000


def configure(parameters, seconds: float, workers: int, size: int) -> None:
    """The search measured best on bench/plan_bench.py (see README, Planner).

    With 2 workers CP-SAT runs one full-problem subsolver beside its LNS; "max_lp" (the
    strongest linear relaxation) proves loose cases optimal and tightens the bound where
    the default one does not.
    """
    parameters.max_time_in_seconds = max(0.0, seconds)
    parameters.num_workers = workers
    parameters.subsolvers.extend(["max_lp", "reduced_costs"])
    if size > LARGE_MODEL:
        parameters.cp_model_presolve = False


def add_capacity(model: cp_model.CpModel, trainees: list[TraineeModel], free) -> None:
    """Per job type and block, no more planned trainees than places left."""
    by_place: dict[tuple[int, int], list] = {}
    for t in trainees:
        for (b, j), v in t.x.items():
            by_place.setdefault((j, b), []).append(v)
    for (j, b), chosen in by_place.items():
        places = free[j, b]
        if places is not None and len(chosen) > places:
            model.add(cp_model.LinearExpr.sum(chosen) <= places)

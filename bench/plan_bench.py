"""How good and how fast is the planner? CP-SAT against the greedy baseline on generated cohorts.

For each size (default 100, 300 and 1,000 trainees) and each case (capacity
"tight" and "loose") this script generates a cohort with a fixed seed - the
demo catalogue's 6 job types and 3 roles (strategy, audit, supply-chain with
weeks per job type, total weeks, distinct job types, ratings and modules),
some weeks already done, ongoing rotations, leave, a few modules missing or
lapsing - and plans 26 weeks in blocks of 4 from the same start, then prints
a markdown table: solve time, CP-SAT's status, the sum of weeks to ready
(by the forecast) for CP-SAT and for greedy, the improvement, CP-SAT's lower
bound and the most any plan could improve on greedy by that bound, and how
many trainees each gets ready within the horizon.

Run from the project folder:  python bench/plan_bench.py [--sizes 100 300 1000] [--seconds 10]
Not a unit test: the figures depend on the machine.
"""
import argparse
import json
import random
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tracker.planning.gaps import free_places, trainee_gap
from tracker.planning.greedy import greedy_plans, in_turn
from tracker.planning.outcome import outcomes
from tracker.planning.planner import propose
from tracker.planning.problem import (
    JobTypeInput,
    Period,
    PlanInput,
    TraineeInput,
    count_by_day,
)
from tracker.readiness.rules import (
    ModuleNeed,
    ResultFact,
    RoleSpec,
    RotationFact,
    RotationNeed,
)

START = date(2027, 1, 4)
WEEKS, BLOCK_WEEKS = 26, 4
CATALOG = PROJECT / "tracker" / "demo" / "catalog.json"
# Each role's usual track through the job types (the demo programme's), first the ones it requires.
TRACKS = {
    "strategy": ["planning", "procurement", "warehouse", "logistics", "quality"],
    "audit": ["quality", "procurement", "warehouse", "customer-service"],
    "supply-chain": ["warehouse", "logistics", "procurement", "customer-service"],
}
# Per block and job type, the places offered against the blocks the cohort still needs there.
CASES = {"tight": 0.45, "loose": 2.0}


def catalogue() -> tuple[dict[str, int], dict[str, str], dict[str, RoleSpec]]:
    """Job type ids and names, and the three roles as RoleSpecs, from the demo catalogue."""
    data = json.loads(CATALOG.read_text(encoding="utf-8"))
    jobs = {jt["code"]: n + 1 for n, jt in enumerate(data["job_types"])}
    names = {jt["code"]: jt["name"] for jt in data["job_types"]}
    modules = {m["code"]: (100 + n, m) for n, m in enumerate(data["modules"])}
    roles = {}
    for n, r in enumerate(data["roles"]):
        rotations = tuple(
            RotationNeed(jobs[q["job_type"]], names[q["job_type"]], q["min_weeks"], q.get("min_rating"))
            for q in r["rotations"]
        )
        needs = tuple(
            ModuleNeed(modules[q["module"]][0], modules[q["module"]][1]["name"],
                       modules[q["module"]][1].get("valid_months"), Decimal(q["min_score"]))
            for q in r["modules"]
        )
        roles[r["code"]] = RoleSpec(n + 1, r["code"], r["name"], r["min_total_weeks"], r["min_distinct_job_types"],
                                    rotations, needs)
    return jobs, names, roles


def generate(size: int, seed: int = 13) -> tuple[list[TraineeInput], dict[str, int], dict[str, str]]:
    """A cohort: history before the start, some ongoing rotations and leave, module results."""
    rng = random.Random(seed * 100_003 + size)
    jobs, names, roles = catalogue()
    trainees = []
    for n in range(size):
        code = rng.choice(list(roles))
        role, track = roles[code], TRACKS[code]
        rotations, leave, results = [], [], []
        cursor = START - timedelta(days=rng.randint(0, 10))
        ongoing = rng.random()
        if ongoing < 0.02:  # ongoing with no end date: nothing can be planned
            rotations.append(RotationFact(jobs[rng.choice(track)], cursor - timedelta(days=30), None, None))
        elif ongoing < 0.35:  # ongoing, ending within the first 8 weeks
            end = START + timedelta(days=rng.randint(3, 55))
            rotations.append(RotationFact(jobs[rng.choice(track)], cursor - timedelta(days=7 * rng.randint(2, 8)), end, None))
            cursor = rotations[-1].start_date - timedelta(days=1)
        done_weeks = rng.choice([12, 14, 16, 18, 20, 22, 24, 26, 28])
        order = track[:]
        rng.shuffle(order)
        position = 0
        while done_weeks > 0:
            weeks = min(done_weeks, rng.choice([4, 4, 6, 8]))
            first = cursor - timedelta(days=7 * weeks)
            rating = None if rng.random() < 0.1 else rng.choice([2, 3, 3, 4, 4, 5])
            rotations.append(RotationFact(jobs[order[position % len(order)]], first, cursor - timedelta(days=1), rating))
            cursor, done_weeks, position = first - timedelta(days=rng.randint(0, 7)), done_weeks - weeks, position + 1
        if rng.random() < 0.15:
            first = START + timedelta(days=rng.randint(0, 7 * 22))
            leave.append(Period(first, first + timedelta(days=rng.randint(4, 20))))
        for need in role.module_requirements:
            if rng.random() < 0.05:
                continue
            taken = START - timedelta(days=rng.randint(10, 330 if need.valid_months == 12 else 500))
            results.append(ResultFact(need.module_id, taken, need.min_score + rng.randint(0, 25)))
        trainees.append(TraineeInput(n + 1, role, tuple(rotations), tuple(results), tuple(leave)))
    return trainees, jobs, names


def demand(trainees: list[TraineeInput], jobs: dict[str, int]) -> Counter:
    """Blocks the cohort still needs per job type (required weeks left, the rest of the total spread over its track)."""
    wanted: Counter = Counter()
    block_days = 7 * BLOCK_WEEKS
    for t in trainees:
        done: Counter = Counter()
        for r in t.rotations:
            if r.end_date is not None and r.end_date < START:
                done[r.job_type_id] += (r.end_date - r.start_date).days + 1
        required = 0
        for need in t.role.rotation_requirements:
            blocks = -(-max(0, 7 * need.min_weeks - done[need.job_type_id]) // block_days)
            wanted[need.job_type_id] += blocks
            required += blocks
        rest = -(-max(0, 7 * t.role.min_total_weeks - sum(done.values())) // block_days) - required
        track = TRACKS[t.role.code]
        for i in range(max(0, rest)):
            wanted[jobs[track[i % len(track)]]] += 1
    return wanted


def job_types(trainees: list[TraineeInput], jobs: dict[str, int], names: dict[str, str], factor: float) -> tuple:
    """The job types with capacities for a case, and the days already taken by ongoing rotations."""
    wanted = demand(trainees, jobs)
    blocks = WEEKS // BLOCK_WEEKS
    last = START + timedelta(days=7 * WEEKS - 1)
    result = []
    for code, jid in jobs.items():
        periods = [(r.start_date, r.end_date) for t in trainees for r in t.rotations
                   if r.job_type_id == jid and (r.end_date is None or r.end_date >= START)]
        taken = count_by_day(periods, START, last)
        capacity = max(1, round(wanted[jid] / blocks * factor)) + max(taken.values(), default=0) // 2
        result.append(JobTypeInput(jid, names[code], capacity, taken))
    return tuple(result)


def in_turn_weeks(problem: PlanInput):
    """The sum of weeks to ready of the naive greedy: trainees in list order, each taking what closes most of their gap."""
    gaps = [trainee_gap(problem, t) for t in problem.trainees]
    found = outcomes(problem, gaps, greedy_plans(gaps, free_places(problem), order=in_turn))
    return sum((t.weeks_after for t in found), Fraction(0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    print(f"{WEEKS} weeks in blocks of {BLOCK_WEEKS} from {START}, 6 job types, time limit {args.seconds:g} s,"
          f" {args.workers} workers\n")
    print("| trainees | case | time (s) | status | plan from | weeks to ready: before | CP-SAT | greedy"
          " | improvement | greedy in turn | improvement on it | bound | at most possible | ready in horizon: CP-SAT | greedy |")
    print("|---:|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        trainees, jobs, names = generate(size, args.seed)
        for case, factor in CASES.items():
            problem = PlanInput(START, WEEKS, tuple(trainees), job_types(trainees, jobs, names, factor), BLOCK_WEEKS)
            p = propose(problem, args.seconds, args.workers)
            better = (p.greedy_weeks - p.weeks_after) / p.greedy_weeks * 100 if p.greedy_weeks else 0
            naive = in_turn_weeks(problem)
            better_naive = (naive - p.weeks_after) / naive * 100 if naive else 0
            bound = room = ""
            if p.bound_weeks is not None:
                bound = f"{float(p.bound_weeks):.0f}"
                room = f"{float(max(0, p.greedy_weeks - p.bound_weeks) / p.greedy_weeks * 100):.1f}%"
            print(f"| {size} | {case} | {p.seconds:.1f} | {p.status} | {p.plan_from} | {float(p.weeks_before):.0f}"
                  f" | {float(p.weeks_after):.0f} | {float(p.greedy_weeks):.0f} | {float(better):.1f}%"
                  f" | {float(naive):.0f} | {float(better_naive):.1f}%"
                  f" | {bound} | {room} | {p.ready_within_horizon} | {p.greedy_ready_within_horizon} |", flush=True)


if __name__ == "__main__":
    main()

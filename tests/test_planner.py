"""The pure planner on small hand-made cases: optimal plans, capacity, blocked periods, the forecast it claims."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from ortools.sat.python import cp_model

from tracker.planning.gaps import free_places, trainee_gap
from tracker.planning.greedy import greedy_plans
from tracker.planning.planner import propose
from tracker.planning.problem import (
    JobTypeInput,
    Period,
    PlanError,
    PlanInput,
    Proposal,
    TraineeInput,
    count_by_day,
)
from tracker.readiness.rules import (
    ModuleNeed,
    ResultFact,
    RoleSpec,
    RotationFact,
    RotationNeed,
    forecast,
)

START = date(2027, 1, 4)  # a Monday; blocks of 4 weeks start on START + 28*b
A, B, C = 1, 2, 3
NAMES = {A: "Warehouse operations", B: "Procurement desk", C: "Quality inspection"}
SAFETY = 10
SECONDS = 5  # small cases are solved to optimality in well under a second


def day(n: int) -> date:
    """START plus n days."""
    return START + timedelta(days=n)


def block(b: int) -> tuple[date, date]:
    """The first and last day of block b (4 weeks)."""
    return day(28 * b), day(28 * b + 27)


def role(*needs: tuple[int, int, int | None], total: int = 0, distinct: int = 0, modules=()) -> RoleSpec:
    """A role from (job type, weeks, rating) needs."""
    rotations = tuple(RotationNeed(j, NAMES[j], w, g) for j, w, g in needs)
    return RoleSpec(1, "audit", "Internal auditing", total, distinct, rotations, tuple(modules))


def done(job: int, weeks: int, rating: int | None = None) -> RotationFact:
    """A rotation of `weeks` weeks that ended the day before the start."""
    return RotationFact(job, day(-7 * weeks), day(-1), rating)


def job(jid: int, capacity: int | None = 1, taken=None) -> JobTypeInput:
    """An active job type."""
    return JobTypeInput(jid, NAMES[jid], capacity, taken or {})


def plan(trainees, jobs, weeks: int = 12, **kwargs) -> Proposal:
    """Propose for these trainees and job types from START."""
    return propose(PlanInput(START, weeks, tuple(trainees), tuple(jobs), **kwargs), SECONDS)


def rotations_of(proposal: Proposal, trainee_id: int) -> list[tuple[int, date, date]]:
    """One trainee's proposed rotations as (job type, start, end)."""
    (t,) = [t for t in proposal.trainees if t.trainee_id == trainee_id]
    return [(r.job_type_id, r.start_date, r.end_date) for r in t.rotations]


def by_id(proposal: Proposal, trainee_id: int):
    """One trainee's part of the proposal."""
    (t,) = [t for t in proposal.trainees if t.trainee_id == trainee_id]
    return t


EIGHT_A = role((A, 8, None))


# --- the optimum ---------------------------------------------------------------------------------


def test_two_trainees_one_place_the_one_needing_fewer_weeks_goes_first() -> None:
    """One place on A: 4 weeks first then 8 (4 + 12 = 16 weeks), not 8 first (8 + 12 = 20)."""
    far = TraineeInput(1, EIGHT_A)
    near = TraineeInput(2, EIGHT_A, rotations=(done(A, 4),))
    proposal = plan([far, near], [job(A, 1)])
    assert proposal.status == "OPTIMAL"
    assert rotations_of(proposal, 2) == [(A, *block(0))]
    assert rotations_of(proposal, 1) == [(A, *block(1)), (A, *block(2))]
    assert (by_id(proposal, 2).ready_on, by_id(proposal, 1).ready_on) == (block(0)[1], block(2)[1])
    assert (by_id(proposal, 2).weeks_after, by_id(proposal, 1).weeks_after) == (4, 12)
    # before: neither gets ready, so each counts the 12 weeks plus what is missing (4 and 8)
    assert (proposal.weeks_before, proposal.weeks_after) == (36, 16)
    assert proposal.ready_within_horizon == 2


def test_a_trainee_already_ready_gets_nothing() -> None:
    """Ready at the start: no rotation, 0 weeks, and the other trainee gets the place."""
    ready = TraineeInput(1, EIGHT_A, rotations=(done(A, 8),))
    other = TraineeInput(2, EIGHT_A, rotations=(done(A, 4),))
    proposal = plan([ready, other], [job(A, 1)])
    assert rotations_of(proposal, 1) == []
    assert (by_id(proposal, 1).ready_on, by_id(proposal, 1).weeks_after) == (START, 0)
    assert rotations_of(proposal, 2) == [(A, *block(0))]


def test_a_trainee_needing_two_job_types_gets_both_in_the_blocks_that_have_places() -> None:
    """A is full in block 0 (two rotations already there), so B first, then A."""
    taken = count_by_day([(day(0), day(27)), (day(3), day(20))], day(0), day(83))
    trainee = TraineeInput(1, role((A, 4, None), (B, 4, None)))
    proposal = plan([trainee], [job(A, 2, taken), job(B, 1)])
    assert rotations_of(proposal, 1) == [(B, *block(0)), (A, *block(1))]
    assert by_id(proposal, 1).ready_on == block(1)[1]


def test_no_rotation_beyond_what_readiness_needs() -> None:
    """Ties broken by fewer rotations: plenty of places, but only the two blocks the role needs."""
    trainee = TraineeInput(1, role((A, 8, None), total=8))
    proposal = plan([trainee], [job(A, None), job(B, None), job(C, None)], weeks=24)
    assert rotations_of(proposal, 1) == [(A, *block(0)), (A, *block(1))]


def test_cp_sat_beats_a_myopic_greedy_choice() -> None:
    """Greedy gives the first trainee A (either job type closes their gap), leaving none for the second."""
    anything = TraineeInput(1, role(total=4))
    needs_a = TraineeInput(2, role((A, 4, None)))
    proposal = plan([anything, needs_a], [job(A, 1), job(B, 1)], weeks=4)
    assert proposal.plan_from == "cp-sat"
    assert proposal.greedy_weeks == 4 + 8  # the second trainee: horizon 4 + 4 weeks missing
    assert proposal.weeks_after == 4 + 4
    assert rotations_of(proposal, 1) == [(B, *block(0))]
    assert rotations_of(proposal, 2) == [(A, *block(0))]


def test_distinct_job_types_and_total_weeks() -> None:
    """Three job types and 12 weeks, with one done: two more, on two other job types."""
    trainee = TraineeInput(1, role(total=12, distinct=3), rotations=(done(A, 4),))
    proposal = plan([trainee], [job(A, None), job(B, None), job(C, None)])
    planned = rotations_of(proposal, 1)
    assert [r[1:] for r in planned] == [block(0), block(1)]
    assert sorted(r[0] for r in planned) == [B, C]
    assert by_id(proposal, 1).ready_on == block(1)[1]


def test_a_rating_requirement_is_met_by_one_planned_rotation() -> None:
    """The weeks are done but rated 2 where 4 is needed: one block on A, as the forecast assumes it rated."""
    trainee = TraineeInput(1, role((A, 4, 4)), rotations=(done(A, 8, rating=2),))
    proposal = plan([trainee], [job(A, 1), job(B, 1)])
    assert rotations_of(proposal, 1) == [(A, *block(0))]
    assert by_id(proposal, 1).ready_on == block(0)[1]


def test_a_module_lapsing_in_the_horizon_puts_that_trainee_first() -> None:
    """Trainee 2's safety result lapses during block 1: only block 0 gets them ready, so they take it."""
    safety = ModuleNeed(SAFETY, "Workplace Safety", 12, Decimal(70))
    r = role((A, 4, None), modules=[safety])
    steady = TraineeInput(1, r, results=(ResultFact(SAFETY, day(-30), Decimal(80)),))
    lapsing = TraineeInput(2, r, results=(ResultFact(SAFETY, date(2026, 2, 10), Decimal(80)),))
    proposal = plan([steady, lapsing], [job(A, 1)], weeks=9)  # not ready: 9 weeks, ready at block 1: 8
    assert rotations_of(proposal, 2) == [(A, *block(0))]
    assert rotations_of(proposal, 1) == [(A, *block(1))]
    assert proposal.ready_within_horizon == 2


@pytest.mark.parametrize(
    ("history", "planned", "blocks", "short_days", "r"),
    [
        ((), {}, 3, 84, None),  # 8 weeks of A (2 blocks) and a third job type; 12 weeks in total
        ((), {A: 1}, 2, 56, None),  # A planned once: one more of A, and one new job type (A is seen)
        ((), {A: 2}, 1, 28, None),  # A done: one block on any other job type
        ((), {A: 2, B: 1}, 0, 0, None),
        ((done(A, 6),), {}, 2, 42, None),  # 2 weeks of A still round up to a whole block
        ((done(B, 8), done(C, 4)), {}, 2, 56, None),  # total met but for A; distinct met: A's 2 blocks
        ((done(A, 8, rating=2),), {}, 2, 28, None),  # weeks met, rated 2: one block of A for the rating, one new
        # no total: A planned once still needs one more, and A counts once toward three job types
        ((), {A: 1}, 3, 28, role((A, 8, None), distinct=3)),
    ],
)
def test_blocks_needed_and_shortfall_are_what_the_model_counts(
    history, planned, blocks: int, short_days: int, r: RoleSpec | None
) -> None:
    """The fewest blocks still needed (a lower bound, exact at 0) and the days missing at the horizon's end."""
    r = r or role((A, 8, 4), total=12, distinct=2)
    gap = trainee_gap(PlanInput(START, 12, (TraineeInput(1, r, rotations=history),), (job(A),)), TraineeInput(1, r, rotations=history))
    assert gap.blocks_needed(gap.at_end, planned) == blocks
    assert gap.shortfall_days(planned) == short_days


# --- modules, gaps that do not close ------------------------------------------------------------


def test_modules_cannot_be_planned_but_the_rest_is_and_they_are_listed() -> None:
    """No safety result: rotations for the weeks, and the module named as still missing."""
    safety = ModuleNeed(SAFETY, "Workplace Safety", 12, Decimal(70))
    trainee = TraineeInput(1, role((A, 8, None), modules=[safety]))
    proposal = plan([trainee], [job(A, 1)])
    t = by_id(proposal, 1)
    assert [r[0] for r in rotations_of(proposal, 1)] == [A, A]
    assert t.ready_on is None
    assert t.modules_missing == ("needs Workplace Safety at 70 or more, no valid result",)
    assert t.missing == t.modules_missing
    assert t.weeks_after == 12  # the horizon, no rotation weeks missing


def test_a_gap_too_wide_for_the_horizon_still_shrinks() -> None:
    """24 weeks of A in an 8-week horizon: both blocks, counted as 8 + the 16 weeks still missing."""
    trainee = TraineeInput(1, role((A, 24, None)))
    proposal = plan([trainee], [job(A, 1)], weeks=8)
    assert rotations_of(proposal, 1) == [(A, *block(0)), (A, *block(1))]
    assert (by_id(proposal, 1).weeks_before, by_id(proposal, 1).weeks_after) == (8 + 24, 8 + 16)
    assert by_id(proposal, 1).missing == ("needs 16 more weeks in Warehouse operations",)


def test_a_horizon_that_is_not_whole_blocks_plans_the_whole_blocks_and_counts_the_rest() -> None:
    """10 weeks in blocks of 4: two blocks planned; not ready counts the full 10 weeks."""
    near = TraineeInput(1, EIGHT_A, rotations=(done(A, 4),))
    far = TraineeInput(2, role((A, 16, None)))
    proposal = plan([near, far], [job(A, 1)], weeks=10)
    assert rotations_of(proposal, 1) == [(A, *block(0))]
    assert rotations_of(proposal, 2) == [(A, *block(1))]
    assert by_id(proposal, 2).weeks_after == 10 + 12


# --- what every proposal respects ---------------------------------------------------------------


def mixed_cohort() -> tuple[list[TraineeInput], list[JobTypeInput]]:
    """Eight trainees with history, ongoing rotations and leave, three tight job types."""
    needs = role((A, 8, None), (B, 4, 4), total=16, distinct=3)
    trainees = [
        TraineeInput(1, needs),
        TraineeInput(2, needs, rotations=(done(A, 4), RotationFact(C, day(-10), day(12), None))),
        TraineeInput(3, needs, rotations=(done(C, 6),), unavailable=(Period(day(40), day(45)),)),
        TraineeInput(4, needs, rotations=(done(B, 4, rating=3), done(A, 8))),
        TraineeInput(5, needs, rotations=(RotationFact(A, day(-5), None, None),)),
        TraineeInput(6, needs, unavailable=(Period(day(0), day(60)),)),
        TraineeInput(7, needs, rotations=(done(C, 4), RotationFact(B, day(60), day(80), None))),
        TraineeInput(8, needs, rotations=(done(A, 2),)),
    ]
    periods = {j: [(r.start_date, r.end_date) for t in trainees for r in t.rotations if r.job_type_id == j] for j in NAMES}
    last = day(7 * 24 - 1)
    jobs = [job(j, 2, count_by_day(periods[j], START, last)) for j in NAMES]
    return trainees, jobs


@pytest.fixture(scope="module")
def cohort_proposal() -> tuple[list[TraineeInput], list[JobTypeInput], Proposal]:
    """The mixed cohort over 24 weeks."""
    trainees, jobs = mixed_cohort()
    return trainees, jobs, plan(trainees, jobs, weeks=24)


@pytest.mark.parametrize("which", ["trainees", "baseline"])
def test_capacity_holds_on_every_day_with_existing_rotations(cohort_proposal, which: str) -> None:
    """Planned plus existing rotations never exceed any job type's capacity on any day (CP-SAT and greedy)."""
    _, jobs, proposal = cohort_proposal
    planned = [r for t in getattr(proposal, which) for r in t.rotations]
    assert planned
    for jt in jobs:
        mine = count_by_day([(r.start_date, r.end_date) for r in planned if r.job_type_id == jt.id], START, day(7 * 24))
        for d, n in mine.items():
            assert n + jt.taken.get(d, 0) <= jt.capacity, (jt.name, d)


@pytest.mark.parametrize("which", ["trainees", "baseline"])
def test_leave_and_existing_rotations_are_never_planned_over(cohort_proposal, which: str) -> None:
    """No proposed rotation touches the trainee's leave or rotations (ongoing ones included)."""
    trainees, _, proposal = cohort_proposal
    for t, planned in zip(trainees, getattr(proposal, which), strict=True):
        for r in planned.rotations:
            for p in t.busy_periods():
                assert not p.touches(r.start_date, r.end_date), (t.id, r, p)
    assert rotations_of(proposal, 5) == []  # ongoing without an end date: never free


def test_the_claimed_ready_on_is_the_forecast_after_accepting(cohort_proposal) -> None:
    """ready_on and missing are exactly the forecast rule on facts plus the proposed rotations."""
    trainees, _, proposal = cohort_proposal
    for t, planned in zip(trainees, proposal.trainees, strict=True):
        accepted = t.rotations + tuple(RotationFact(r.job_type_id, r.start_date, r.end_date, None) for r in planned.rotations)
        expected = forecast(t.role, accepted, t.results, START)
        assert (planned.ready_on, planned.missing) == (expected.ready_on, expected.missing)
        assert planned.ready_on_before == forecast(t.role, t.rotations, t.results, START).ready_on


def test_cp_sat_is_never_worse_than_greedy_and_reports_its_bound(cohort_proposal) -> None:
    """The proposal's sum is at most greedy's, and the solver's bound is below what it found."""
    _, _, proposal = cohort_proposal
    assert proposal.weeks_after <= proposal.greedy_weeks < proposal.weeks_before
    assert proposal.status == "OPTIMAL" and proposal.gap == 0
    assert proposal.bound_weeks is not None and proposal.bound_weeks <= proposal.weeks_after


def test_the_greedy_hint_is_a_complete_feasible_solution_of_the_model() -> None:
    """Every variable is hinted, and the hinted values satisfy every constraint: CP-SAT starts from greedy."""
    from tracker.planning.solver import build

    trainees, jobs = mixed_cohort()
    problem = PlanInput(START, 24, tuple(trainees), tuple(jobs))
    gaps = [trainee_gap(problem, t) for t in trainees]
    free = free_places(problem)
    model = build(problem, gaps, free, greedy_plans(gaps, free))
    hint = model.cp.proto.solution_hint
    assert sorted(hint.vars) == list(range(len(model.cp.proto.variables)))
    for index, value in zip(hint.vars, hint.values, strict=True):
        model.cp.add(model.cp.get_int_var_from_proto_index(index) == value)
    assert cp_model.CpSolver().solve(model.cp) == cp_model.OPTIMAL


def test_a_tiny_time_limit_still_returns_a_feasible_plan_with_its_status() -> None:
    """A thousandth of a second: whatever CP-SAT managed, or the greedy plan, with a clear status."""
    trainees, jobs = mixed_cohort()
    many = [TraineeInput(100 * k + t.id, t.role, t.rotations, t.results, t.unavailable) for k in range(10) for t in trainees]
    proposal = propose(PlanInput(START, 24, tuple(many), tuple(job(j.id, 20, j.taken) for j in jobs)), 0.001)
    assert proposal.status in {"OPTIMAL", "FEASIBLE", "UNKNOWN"}
    assert proposal.plan_from in {"cp-sat", "greedy"}
    assert proposal.weeks_after <= proposal.greedy_weeks
    assert len(proposal.trainees) == len(many) and proposal.rotations


def test_the_forecast_is_made_at_as_of_when_given() -> None:
    """Planned today for a later start: a rotation ending in between is still taken as rated high enough."""
    trainee = TraineeInput(1, role((A, 4, 4), (B, 4, None)), rotations=(RotationFact(A, day(-40), day(-3), None),))
    proposal = plan([trainee], [job(A, 1), job(B, 1)], as_of=day(-10))
    assert rotations_of(proposal, 1) == [(B, *block(0))]
    assert by_id(proposal, 1).ready_on == block(0)[1]


def test_the_time_limit_setting_defaults_to_10_seconds(monkeypatch) -> None:
    """TRACKER_PLAN_SECONDS: 10 unless the environment says otherwise, fractions allowed."""
    import importlib

    import config

    assert config.Config.TRACKER_PLAN_SECONDS == 10
    monkeypatch.setenv("TRACKER_PLAN_SECONDS", "2.5")
    try:
        assert importlib.reload(config).Config.TRACKER_PLAN_SECONDS == 2.5
    finally:
        monkeypatch.undo()
        importlib.reload(config)


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"weeks": 3}, "weeks", "The horizon of 3 weeks is shorter than one block of 4 weeks."),
        ({"block_weeks": 0}, "block_weeks", "Blocks must be at least one week long."),
        ({"as_of": day(1)}, "start", "A plan cannot start before the date it is made."),
        ({"job_types": ()}, None, "There are no active job types to plan rotations on."),
    ],
)
def test_bad_input_is_refused_with_its_field(kwargs: dict, field: str | None, message: str) -> None:
    """A horizon shorter than a block, no job types, a start before the forecast date."""
    settings = {"weeks": 12, "job_types": (job(A),), **kwargs}
    with pytest.raises(PlanError) as refused:
        propose(PlanInput(START, trainees=(TraineeInput(1, EIGHT_A),), **settings), SECONDS)
    assert (str(refused.value), refused.value.field) == (message, field)


def test_a_time_limit_of_zero_is_refused() -> None:
    """The limit is a number of seconds above 0."""
    with pytest.raises(PlanError) as refused:
        propose(PlanInput(START, 12, (TraineeInput(1, EIGHT_A),), (job(A),)), 0)
    assert (str(refused.value), refused.value.field) == ("The time limit must be more than 0 seconds.", "seconds")


def test_no_place_on_anything_anyone_needs_is_refused_clearly() -> None:
    """Capacity 0 on A, and A full on every day: nothing can be planned, and it says so."""
    full = count_by_day([(day(0), day(100))], day(0), day(100))
    with pytest.raises(PlanError, match="No job type the trainees need has a free place between 2027-01-04 and 2027-03-28"):
        plan([TraineeInput(1, EIGHT_A)], [job(A, 0), job(B, 1)])
    with pytest.raises(PlanError, match="nothing can be planned"):
        plan([TraineeInput(1, EIGHT_A)], [job(A, 1, full)])


def test_nothing_to_plan_is_not_an_error() -> None:
    """Everyone ready already: an empty proposal, and no capacity check."""
    proposal = plan([TraineeInput(1, EIGHT_A, rotations=(done(A, 8),))], [job(A, 0)])
    assert proposal.rotations == [] and proposal.weeks_after == 0 and proposal.status == "OPTIMAL"


def test_weeks_until_counts_days_through_ready_on() -> None:
    """Ready by the start: 0; on a block's last day: whole weeks."""
    from tracker.planning.problem import weeks_until
    assert [weeks_until(d, START) for d in (day(-3), START, day(27), day(1))] == [0, 0, 4, Fraction(2, 7)]

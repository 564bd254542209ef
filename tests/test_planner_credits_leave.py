"""The pure planner with prior learning and leave: it plans around leave, and counts credits as readiness does."""
from datetime import timedelta
from decimal import Decimal

from tests.test_planner import EIGHT_A, SAFETY, A, B, block, by_id, day, done, job, plan, role, rotations_of
from tracker.planning.gaps import trainee_gap
from tracker.planning.problem import Period, PlanInput, TraineeInput
from tracker.readiness.rules import CreditFact, ModuleNeed, ResultFact, RotationFact, forecast


def experience(job_type: int, weeks: int, on, rating=None) -> CreditFact:
    return CreditFact("experience", on, "prior job", job_type_id=job_type, weeks=weeks, rating=rating)


def test_leave_in_the_first_block_moves_the_rotations_after_it() -> None:
    away = TraineeInput(1, EIGHT_A, unavailable=(Period(day(3), day(10)),))
    proposal = plan([away], [job(A, None)])
    assert rotations_of(proposal, 1) == [(A, *block(1)), (A, *block(2))]
    assert by_id(proposal, 1).ready_on == block(2)[1]


def test_leave_never_shares_a_day_with_a_proposed_rotation_even_with_places_scarce() -> None:
    trainees = [
        TraineeInput(1, EIGHT_A, unavailable=(Period(day(30), day(31)),)),
        TraineeInput(2, EIGHT_A, unavailable=(Period(day(0), day(27)),)),
        TraineeInput(3, EIGHT_A),
    ]
    proposal = plan(trainees, [job(A, 2)], weeks=24)
    for trainee in trainees:
        for _, first, last in rotations_of(proposal, trainee.id):
            assert not any(p.touches(first, last) for p in trainee.unavailable), (trainee.id, first)


def test_an_experience_credit_counts_so_only_the_rest_is_planned() -> None:
    needs = role((A, 8, None), (B, 4, 4))
    credited = TraineeInput(1, needs, credits=(experience(A, 8, day(-30)),))
    proposal = plan([credited], [job(A, None), job(B, None)])
    assert rotations_of(proposal, 1) == [(B, *block(0))]
    assert by_id(proposal, 1).ready_on == block(0)[1]
    gap = trainee_gap(PlanInput(day(0), 12, (credited,), (job(A), job(B))), credited)
    assert gap.at_end.days.get(A) == 56


def test_a_low_rated_credit_still_needs_a_rotation_for_the_rating() -> None:
    needs = role((B, 4, 4))
    credited = TraineeInput(1, needs, credits=(experience(B, 4, day(-1), rating=2),))
    proposal = plan([credited], [job(B, None)])
    assert rotations_of(proposal, 1) == [(B, *block(0))]  # the planned rotation is taken as rated high enough


def test_an_exemption_meets_the_module_a_plan_cannot() -> None:
    needs = role((A, 4, None), modules=(ModuleNeed(SAFETY, "Safety", 12, Decimal(70)),))
    expired = (ResultFact(SAFETY, day(-800), Decimal(90)),)
    without = TraineeInput(1, needs, results=expired)
    exempt = TraineeInput(2, needs, results=expired, credits=(CreditFact("exemption", day(-5), "degree", module_id=SAFETY),))
    proposal = plan([without, exempt], [job(A, None)])
    assert by_id(proposal, 1).ready_on is None and by_id(proposal, 1).modules_missing
    assert by_id(proposal, 2).ready_on == block(0)[1] and by_id(proposal, 2).modules_missing == ()
    accepted = tuple(RotationFact(j, s, e, None) for j, s, e in rotations_of(proposal, 2))
    assert forecast(needs, accepted, expired, day(0), exempt.credits).ready_on == by_id(proposal, 2).ready_on


def test_credits_take_no_days_from_the_plan() -> None:
    credited = TraineeInput(1, EIGHT_A, rotations=(done(A, 4),), credits=(experience(A, 2, day(-1) - timedelta(days=1)),))
    assert credited.busy_periods() == [Period(day(-28), day(-1))]
    assert rotations_of(plan([credited], [job(A, None)]), 1) == [(A, *block(0))]

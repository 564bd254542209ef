"""Table tests of how credits count for readiness (SPEC "Readiness, exactly"), in the pure rules (no database).

An experience credit granted on or before D is a completed rotation of its job type of exactly
`weeks` weeks ending on the granted-on date, rated with its rating; an exemption meets every
requirement on its module from its date and never lapses.
"""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tracker.readiness.rules import (
    CreditFact,
    ModuleNeed,
    ResultFact,
    RoleSpec,
    RotationFact,
    RotationNeed,
    credited_rotations,
    evaluate,
    forecast,
    format_progress,
)

D = date(2025, 6, 30)
PROCUREMENT, WAREHOUSE = 1, 2
AUDIT = 10


def rot(job: int, days: int, end: date, rating: int | None = None) -> RotationFact:
    return RotationFact(job, end - timedelta(days=days - 1), end, rating)


def experience(job: int, weeks: int, on: date, rating: int | None = None, reason: str = "five years at Acme") -> CreditFact:
    return CreditFact("experience", on, reason, job_type_id=job, weeks=weeks, rating=rating)


def exemption(on: date, module: int = AUDIT, reason: str = "graduate degree") -> CreditFact:
    return CreditFact("exemption", on, reason, module_id=module)


def role(total: int = 0, distinct: int = 0, rotations=(), modules=()) -> RoleSpec:
    return RoleSpec(1, "audit", "Internal auditing", total, distinct, tuple(rotations), tuple(modules))


def weeks_req(job: int = PROCUREMENT, weeks: int = 8, rating: int | None = None) -> RotationNeed:
    return RotationNeed(job, {PROCUREMENT: "Procurement desk", WAREHOUSE: "Warehouse operations"}[job], weeks, rating)


def module_req(score: str = "70", months: int | None = None) -> ModuleNeed:
    return ModuleNeed(AUDIT, "Audit Fundamentals", months, Decimal(score))


def test_an_experience_credit_is_a_rotation_of_exactly_its_weeks_ending_on_its_date():
    (fact,) = credited_rotations([experience(PROCUREMENT, 3, date(2025, 3, 21), rating=4)])
    assert (fact.end_date - fact.start_date).days + 1 == 21
    assert (fact.job_type_id, fact.end_date, fact.rating, fact.credited) == (PROCUREMENT, date(2025, 3, 21), 4, True)


@pytest.mark.parametrize(("granted_on", "ready", "unmet"), [
    (D, True, []),                                    # granted on the as-of date: counts that day
    (D - timedelta(days=1), True, []),
    (D + timedelta(days=1), False, ["needs 8 more weeks in Procurement desk"]),  # granted after D: not yet
])
def test_a_credit_counts_from_its_granted_on_date(granted_on, ready, unmet):
    evaluation = evaluate(role(rotations=[weeks_req(weeks=8)]), [], [], D, [experience(PROCUREMENT, 8, granted_on)])
    assert (evaluation.ready, evaluation.unmet) == (ready, unmet)


@pytest.mark.parametrize(("credit_weeks", "rotation_days", "ready", "unmet"), [
    (4, 28, True, []),                                 # 4 credited weeks + 28 days = exactly 8 weeks
    (4, 27, False, ["needs 0.2 more weeks in Procurement desk"]),
    (8, 0, True, []),
    (7, 0, False, ["needs 1 more week in Procurement desk"]),
])
def test_credited_weeks_add_to_the_weeks_of_their_job_type(credit_weeks, rotation_days, ready, unmet):
    rotations = [rot(PROCUREMENT, rotation_days, date(2025, 5, 31))] if rotation_days else []
    evaluation = evaluate(role(rotations=[weeks_req(weeks=8)]), rotations, [], D, [experience(PROCUREMENT, credit_weeks, date(2025, 1, 10))])
    assert (evaluation.ready, evaluation.unmet) == (ready, unmet)


def test_credits_add_to_total_weeks_and_distinct_job_types():
    evaluation = evaluate(
        role(total=10, distinct=2), [rot(WAREHOUSE, 42, date(2025, 5, 31))], [], D, [experience(PROCUREMENT, 4, date(2025, 1, 10))]
    )
    assert evaluation.ready
    assert evaluate(role(total=10, distinct=2), [rot(WAREHOUSE, 42, date(2025, 5, 31))], [], D).unmet == [
        "needs 4 more weeks in total", "needs 1 more job type (has 1 of 2)",
    ]


@pytest.mark.parametrize(("credit_on", "credit_rating", "rotation_end", "rotation_rating", "ready", "unmet"), [
    # a credit and a later low-rated rotation of the same job type: the later rotation's rating counts
    (date(2025, 1, 10), 5, date(2025, 5, 31), 2, False, ["needs a rating of 4 or more in Procurement desk, latest 2"]),
    # a credit later than a low-rated rotation: the credit's rating counts
    (date(2025, 6, 1), 5, date(2025, 5, 31), 2, True, []),
    # a later credit without a rating takes no part in latest_rating
    (date(2025, 6, 1), None, date(2025, 5, 31), 2, False, ["needs a rating of 4 or more in Procurement desk, latest 2"]),
    # a later low-rated credit is the latest rating
    (date(2025, 6, 1), 3, date(2025, 5, 31), 5, False, ["needs a rating of 4 or more in Procurement desk, latest 3"]),
    # a credit and a rotation ending the same day: the rotation's rating counts
    (date(2025, 5, 31), 5, date(2025, 5, 31), 2, False, ["needs a rating of 4 or more in Procurement desk, latest 2"]),
    (date(2025, 5, 31), 2, date(2025, 5, 31), 5, True, []),
    # the credit's rating counts only once it is granted
    (D + timedelta(days=1), 5, date(2025, 5, 31), 2, False, ["needs a rating of 4 or more in Procurement desk, latest 2"]),
])
def test_a_credit_takes_part_in_the_latest_rating(credit_on, credit_rating, rotation_end, rotation_rating, ready, unmet):
    evaluation = evaluate(
        role(rotations=[weeks_req(weeks=0, rating=4)]),
        [rot(PROCUREMENT, 14, rotation_end, rotation_rating)], [], D,
        [experience(PROCUREMENT, 2, credit_on, credit_rating)],
    )
    assert (evaluation.ready, evaluation.unmet) == (ready, unmet)


def test_a_credit_alone_meets_a_rating_requirement():
    evaluation = evaluate(role(rotations=[weeks_req(weeks=2, rating=4)]), [], [], D, [experience(PROCUREMENT, 2, D, rating=4)])
    assert evaluation.ready


@pytest.mark.parametrize(("credits", "results", "ready", "label", "unmet"), [
    # an exemption for a module that also has an expired result: exempt
    ([exemption(date(2020, 1, 1))], [ResultFact(AUDIT, date(2023, 1, 1), Decimal(95))], True,
     "Audit Fundamentals: exempt (graduate degree)", []),
    # the expired result alone does not count
    ([], [ResultFact(AUDIT, date(2023, 1, 1), Decimal(95))], False,
     "Audit Fundamentals at 70 or more", ["needs Audit Fundamentals at 70 or more, no valid result"]),
    # exempt whatever the scores, even a low valid one
    ([exemption(date(2025, 1, 1))], [ResultFact(AUDIT, date(2025, 2, 1), Decimal(10))], True,
     "Audit Fundamentals: exempt (graduate degree)", []),
    # granted on the as-of date: exempt that day
    ([exemption(D)], [], True, "Audit Fundamentals: exempt (graduate degree)", []),
    # granted after the as-of date: not yet
    ([exemption(D + timedelta(days=1))], [], False, "Audit Fundamentals at 70 or more",
     ["needs Audit Fundamentals at 70 or more, no valid result"]),
    # an exemption from another module changes nothing
    ([exemption(date(2020, 1, 1), module=99)], [], False, "Audit Fundamentals at 70 or more",
     ["needs Audit Fundamentals at 70 or more, no valid result"]),
    # two exemptions: the earliest one's reason is given
    ([exemption(date(2024, 1, 1), reason="MSc"), exemption(date(2023, 1, 1), reason="BSc")], [], True,
     "Audit Fundamentals: exempt (BSc)", []),
])
def test_an_exemption_meets_the_module_requirement_and_never_lapses(credits, results, ready, label, unmet):
    evaluation = evaluate(role(modules=[module_req("70", months=12)]), [], results, D, credits)
    (criterion,) = evaluation.criteria
    assert (evaluation.ready, criterion.label, evaluation.unmet) == (ready, label, unmet)
    assert format_progress(evaluation.progress) == ("1.00" if ready else "0.00")


def test_an_exemption_granted_long_ago_still_counts_decades_later():
    assert evaluate(role(modules=[module_req(months=1)]), [], [], date(2049, 12, 31), [exemption(date(1990, 1, 1))]).ready


def test_an_experience_credit_is_not_an_exemption_and_the_reverse():
    assert not evaluate(role(modules=[module_req()]), [], [], D, [experience(PROCUREMENT, 8, D)]).ready
    assert not evaluate(role(rotations=[weeks_req()]), [], [], D, [exemption(D, module=PROCUREMENT)]).ready


def test_the_forecast_counts_credits_but_assumes_no_rating_for_them():
    needs = role(rotations=[weeks_req(weeks=4, rating=4)])
    planned = [RotationFact(PROCUREMENT, date(2025, 7, 1), date(2025, 7, 14), None)]
    # two planned weeks and two credited ones: ready when the rotation ends (its rating assumed)
    assert forecast(needs, planned, [], D, [experience(PROCUREMENT, 2, date(2025, 1, 10), rating=1)]).ready_on == date(2025, 7, 14)
    # credited weeks alone, low rated: no rating is assumed for a credit
    only_credit = forecast(needs, [], [], D, [experience(PROCUREMENT, 4, date(2025, 1, 10), rating=1)])
    assert only_credit.ready_on is None
    assert only_credit.missing == ("needs a rating of 4 or more in Procurement desk, latest 1",)

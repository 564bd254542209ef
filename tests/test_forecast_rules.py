"""Table tests of the pure forecast rule (no database): when is a trainee ready on the current plan."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tracker.readiness.rules import (
    ModuleNeed,
    ResultFact,
    RoleSpec,
    RotationFact,
    RotationNeed,
    add_months,
    evaluate,
    forecast,
    forecast_dates,
    forecast_roles,
    ratings_assumed,
)

D = date(2026, 3, 2)
PROCUREMENT, WAREHOUSE, PLANNING = 1, 2, 3
SAFETY = 10
NAMES = {PROCUREMENT: "Procurement desk", WAREHOUSE: "Warehouse operations", PLANNING: "Production planning"}


def day(n: int) -> date:
    """D plus n days."""
    return D + timedelta(days=n)


def rot(job: int, first: int, last: int | None, rating: int | None = None) -> RotationFact:
    """A rotation from D+first to D+last (inclusive); last None: ongoing."""
    return RotationFact(job, day(first), None if last is None else day(last), rating)


def safety(score: str, on: date) -> ResultFact:
    """A Workplace Safety result."""
    return ResultFact(SAFETY, on, Decimal(score))


def need(job: int, weeks: int, rating: int | None = None) -> RotationNeed:
    """A rotation requirement."""
    return RotationNeed(job, NAMES[job], weeks, rating)


SAFETY_NEED = ModuleNeed(SAFETY, "Workplace Safety", 12, Decimal(70))


def role(*rotations: RotationNeed, modules=(), total: int = 0, distinct: int = 0, code: str = "audit") -> RoleSpec:
    """A role with these requirements."""
    return RoleSpec(1, code, code.title(), total, distinct, tuple(rotations), tuple(modules))


EIGHT_PROCUREMENT = role(need(PROCUREMENT, 8))
HALF_DONE = rot(PROCUREMENT, -28, -1)  # 4 of the 8 weeks, completed before D


@pytest.mark.parametrize(
    ("rotations", "ready_on", "missing"),
    [
        # the planned rotation ends exactly when the 8 weeks are met: ready on its last day
        ([HALF_DONE, rot(PROCUREMENT, 7, 34)], day(34), ()),
        # one day short: never on this plan, and the shortfall is the one at its last date
        ([HALF_DONE, rot(PROCUREMENT, 7, 33)], None, ("needs 0.2 more weeks in Procurement desk",)),
        # split over two planned rotations: ready when the second ends, not the first
        ([HALF_DONE, rot(PROCUREMENT, 1, 14), rot(PROCUREMENT, 40, 53)], day(53), ()),
        # a later planned rotation on another job type does not move the date
        ([HALF_DONE, rot(PROCUREMENT, 1, 28), rot(WAREHOUSE, 29, 60)], day(28), ()),
        # already ready at D: D itself, even with more planned
        ([rot(PROCUREMENT, -56, 0), rot(PROCUREMENT, 1, 28)], D, ()),
        # ongoing without an end date: never completes, only D is looked at
        ([HALF_DONE, rot(PROCUREMENT, 0, None)], None, ("needs 4 more weeks in Procurement desk",)),
        # ongoing with an end date after D: counts from its end
        ([HALF_DONE, rot(PROCUREMENT, -3, 24)], day(24), ()),
        # nothing at all
        ([], None, ("needs 8 more weeks in Procurement desk",)),
    ],
)
def test_weeks_on_the_plan(rotations, ready_on, missing) -> None:
    """Weeks count from each rotation's end date, exactly in days."""
    result = forecast(EIGHT_PROCUREMENT, rotations, [], D)
    assert (result.role_code, result.ready_on, result.missing) == ("audit", ready_on, missing)


def test_forecast_dates_are_d_and_the_end_dates_after_it() -> None:
    """Starts, past ends, and ongoing rotations give no date."""
    rotations = [rot(PROCUREMENT, -40, -1), rot(WAREHOUSE, 0, 9), rot(PLANNING, 10, None), rot(PLANNING, 30, 30)]
    assert forecast_dates(rotations, D) == [D, day(9), day(30)]


LAPSES_ON = add_months(day(-300), 12)  # a 12-month result taken 300 days before D


@pytest.mark.parametrize(
    ("plan_ends", "ready_on", "missing"),
    [
        ((LAPSES_ON - D).days - 1, LAPSES_ON - timedelta(days=1), ()),
        ((LAPSES_ON - D).days, None, ("needs Workplace Safety at 70 or more, no valid result",)),
        (200, None, ("needs Workplace Safety at 70 or more, no valid result",)),
    ],
)
def test_a_module_that_lapses_before_the_plan_completes(plan_ends: int, ready_on, missing) -> None:
    """Valid at D, but the plan completes on or after the day it lapses: not ready, and it says why."""
    r = role(need(PROCUREMENT, 8), modules=[SAFETY_NEED])
    rotations = [HALF_DONE, rot(PROCUREMENT, plan_ends - 27, plan_ends)]
    result = forecast(r, rotations, [safety("80", day(-300))], D)
    assert (result.ready_on, result.missing) == (ready_on, missing)


@pytest.mark.parametrize(
    ("rotations", "ready_on", "missing"),
    [
        # rated 2 before D; a planned warehouse rotation is taken as rated high enough
        ([rot(WAREHOUSE, -20, -1, rating=2), rot(WAREHOUSE, 10, 16)], day(16), ()),
        # no rated rotation before D at all: the planned one still meets it
        ([rot(WAREHOUSE, 10, 16)], day(16), ()),
        # a rotation ending on D has ended: its (missing) rating is taken as recorded
        ([rot(WAREHOUSE, -6, 0)], None,
         ("needs a rating of 4 or more in Warehouse operations, no rated rotation yet",)),
        # a planned rotation on another job type does not rate the warehouse
        ([rot(WAREHOUSE, -20, -1, rating=2), rot(PROCUREMENT, 10, 16)], None,
         ("needs a rating of 4 or more in Warehouse operations, latest 2",)),
        # already rated high enough: ready at D
        ([rot(WAREHOUSE, -20, -1, rating=5)], D, ()),
    ],
)
def test_a_rating_requirement_met_only_by_a_planned_rotation(rotations, ready_on, missing) -> None:
    """Rotations ending after D count as rated high enough for every rating requirement on their job type."""
    result = forecast(role(need(WAREHOUSE, 0, rating=4)), rotations, [], D)
    assert (result.ready_on, result.missing) == (ready_on, missing)


def test_ratings_assumed_takes_the_highest_requirement_and_keeps_higher_ratings() -> None:
    """Two requirements on one job type: the higher minimum; a rotation already rated higher keeps its rating."""
    r = role(need(WAREHOUSE, 0, rating=3), need(WAREHOUSE, 4, rating=4), need(PROCUREMENT, 4))
    rotations = [rot(WAREHOUSE, 1, 7), rot(WAREHOUSE, 8, 14, rating=5), rot(PROCUREMENT, 15, 21), rot(WAREHOUSE, -7, -1)]
    assert [x.rating for x in ratings_assumed(r, rotations, D)] == [4, 5, None, None]


@pytest.mark.parametrize(
    ("results", "ready_on", "missing"),
    [
        # the result is dated after the first end date: it counts from its date, so the second end date
        ([safety("75", day(20))], day(40), ()),
        # dated on the first end date: counts there
        ([safety("75", day(14))], day(14), ()),
        # too low, even in the future
        ([safety("60", day(5))], None, ("needs Workplace Safety at 70 or more, best valid score 60",)),
        # dated after every end date: no later date is looked at
        ([safety("75", day(41))], None, ("needs Workplace Safety at 70 or more, no valid result",)),
    ],
)
def test_a_result_dated_in_the_future_counts_from_its_date(results, ready_on, missing) -> None:
    """Results dated between D and F count at F; none is assumed beyond those given."""
    r = role(need(PROCUREMENT, 2), modules=[SAFETY_NEED])
    rotations = [rot(PROCUREMENT, 1, 14), rot(WAREHOUSE, 15, 40)]
    result = forecast(r, rotations, results, D)
    assert (result.ready_on, result.missing) == (ready_on, missing)


def test_missing_lists_every_unmet_sentence_at_the_last_date() -> None:
    """Weeks, distinct and total shortfalls as evaluate() words them at the last date."""
    r = role(need(PROCUREMENT, 8), total=12, distinct=3)
    rotations = [rot(PROCUREMENT, 1, 14), rot(WAREHOUSE, 15, 28)]
    result = forecast(r, rotations, [], D)
    assert result.ready_on is None
    assert result.missing == tuple(evaluate(r, rotations, [], day(28)).unmet)
    assert result.missing == (
        "needs 8 more weeks in total",
        "needs 1 more job type (has 2 of 3)",
        "needs 6 more weeks in Procurement desk",
    )
    assert result.evaluation.progress < 1


def test_several_roles_each_get_their_own_date() -> None:
    """One trainee's facts, three roles: each its own earliest date, in the order given."""
    roles = [
        role(need(PROCUREMENT, 2), code="first"),
        role(need(WAREHOUSE, 4, rating=4), code="second"),
        role(need(PLANNING, 1), code="never"),
    ]
    rotations = [rot(PROCUREMENT, -14, -1, rating=2), rot(WAREHOUSE, 1, 14), rot(WAREHOUSE, 15, 28)]
    results = forecast_roles(roles, rotations, [], D)
    assert [(f.role_code, f.ready_on, f.missing) for f in results] == [
        ("first", D, ()),
        ("second", day(28), ()),
        ("never", None, ("needs 1 more week in Production planning",)),
    ]

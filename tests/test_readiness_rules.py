"""Table-driven tests of the pure readiness rules (no database)."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from tracker.core.formatting import format_score
from tracker.readiness.rules import (
    ModuleNeed,
    ResultFact,
    RoleSpec,
    RotationFact,
    RotationNeed,
    add_months,
    days_by_job_type,
    evaluate,
    format_progress,
    format_weeks,
    progress_hundredths,
)

AS_OF = date(2024, 6, 30)
PROCUREMENT, WAREHOUSE, PLANNING = 1, 2, 3
AUDIT = 10


def rot(job: int, days: int, end: date = AS_OF, rating: int | None = None) -> RotationFact:
    """A rotation of `days` days (inclusive) ending on `end`."""
    return RotationFact(job, end - timedelta(days=days - 1), end, rating)


def ongoing(job: int, start: date) -> RotationFact:
    """A rotation without an end date."""
    return RotationFact(job, start, None, None)


def result(score: str, on: date, module: int = AUDIT) -> ResultFact:
    """A module result."""
    return ResultFact(module, on, Decimal(score))


def role(total: int = 0, distinct: int = 0, rotations=(), modules=()) -> RoleSpec:
    """A role with the given thresholds."""
    return RoleSpec(1, "audit", "Internal auditing", total, distinct, tuple(rotations), tuple(modules))


def weeks_req(job: int = PROCUREMENT, weeks: int = 8, rating: int | None = None) -> RotationNeed:
    """A rotation requirement on one job type."""
    names = {PROCUREMENT: "Procurement desk", WAREHOUSE: "Warehouse operations"}
    return RotationNeed(job, names.get(job, "Planning"), weeks, rating)


def module_req(score: str = "70", months: int | None = None) -> ModuleNeed:
    """A module requirement on Audit Fundamentals."""
    return ModuleNeed(AUDIT, "Audit Fundamentals", months, Decimal(score))


# --- helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 1, 15), 12, date(2025, 1, 15)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    """Calendar months, clamped to the month end."""
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [(1, Fraction(1, 7)), (7, Fraction(1)), (56, Fraction(8)), (16, Fraction(16, 7))],
)
def test_rotation_weeks(days: int, expected: Fraction) -> None:
    """Weeks are inclusive days over 7, exactly."""
    assert Fraction(days_by_job_type([rot(PROCUREMENT, days)])[PROCUREMENT], 7) == expected


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        (Fraction(1, 7), "0.2"),
        (Fraction(16, 7), "2.3"),
        (Fraction(4), "4.0"),
        (Fraction(1, 10), "0.1"),
        (Fraction(11, 10), "1.1"),
        (Fraction(101, 100), "1.1"),
        (Fraction(55, 7), "7.9"),
    ],
)
def test_format_weeks_rounds_up_to_one_decimal(weeks: Fraction, expected: str) -> None:
    """Shortfalls round up, so a missing day never reads 0.0."""
    assert format_weeks(weeks) == expected


@pytest.mark.parametrize(
    ("score", "expected"),
    [("70.00", "70"), ("69.50", "69.5"), ("100", "100"), ("0", "0"), ("62", "62"), ("70.25", "70.25")],
)
def test_format_score_drops_trailing_zeros(score: str, expected: str) -> None:
    """Scores print without trailing zeros or exponents."""
    assert format_score(Decimal(score)) == expected


# --- weeks criteria ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rotations", "met", "progress", "missing"),
    [
        ([rot(PROCUREMENT, 84)], True, Fraction(1), None),
        ([rot(PROCUREMENT, 83)], False, Fraction(83, 84), "needs 0.2 more weeks in total"),
        ([rot(PROCUREMENT, 68)], False, Fraction(68, 84), "needs 2.3 more weeks in total"),
        ([rot(PROCUREMENT, 56)], False, Fraction(2, 3), "needs 4 more weeks in total"),
        ([rot(PROCUREMENT, 200)], True, Fraction(1), None),
        ([], False, Fraction(0), "needs 12 more weeks in total"),
    ],
)
def test_total_weeks_boundaries(rotations, met: bool, progress: Fraction, missing: str | None) -> None:
    """12 weeks = 84 days: met exactly, missed by one day, progress capped at 1."""
    (criterion,) = evaluate(role(total=12), rotations, [], AS_OF).criteria
    assert (criterion.kind, criterion.label) == ("total_weeks", "12 weeks in total")
    assert (criterion.met, criterion.progress, criterion.missing) == (met, progress, missing)


@pytest.mark.parametrize(
    "splits",
    [[56], [28, 28], [1, 55], [10, 20, 26], [8] * 7, [3, 5, 7, 11, 13, 17]],
)
def test_56_days_split_any_way_are_exactly_8_weeks(splits: list[int]) -> None:
    """Split rotations add up exactly, with no float drift."""
    end, rotations = AS_OF, []
    for days in splits:
        rotations.append(rot(PROCUREMENT, days, end=end))
        end -= timedelta(days=days)
    evaluation = evaluate(role(total=8, rotations=[weeks_req(weeks=8)]), rotations, [], AS_OF)
    assert evaluation.ready and evaluation.progress == 1
    assert [c.kind for c in evaluation.criteria] == ["total_weeks", "job_type_weeks"]


@pytest.mark.parametrize(
    ("rotations", "met", "missing"),
    [
        ([rot(PROCUREMENT, 56)], True, None),
        ([rot(PROCUREMENT, 55)], False, "needs 0.2 more weeks in Procurement desk"),
        ([rot(PROCUREMENT, 40)], False, "needs 2.3 more weeks in Procurement desk"),
        ([rot(WAREHOUSE, 100)], False, "needs 8 more weeks in Procurement desk"),
        ([rot(PROCUREMENT, 30), rot(WAREHOUSE, 30, end=AS_OF - timedelta(days=30))], False,
         "needs 3.8 more weeks in Procurement desk"),
    ],
)
def test_job_type_weeks_boundaries(rotations, met: bool, missing: str | None) -> None:
    """Only rotations of the required job type count toward its weeks."""
    (criterion,) = evaluate(role(rotations=[weeks_req(weeks=8)]), rotations, [], AS_OF).criteria
    assert (criterion.kind, criterion.label) == ("job_type_weeks", "8 weeks in Procurement desk")
    assert (criterion.met, criterion.missing) == (met, missing)


@pytest.mark.parametrize(
    ("rotations", "expected_weeks"),
    [
        ([rot(PROCUREMENT, 56, end=AS_OF + timedelta(days=1))], Fraction(0)),
        ([ongoing(PROCUREMENT, AS_OF - timedelta(days=100))], Fraction(0)),
        ([rot(PROCUREMENT, 14), ongoing(PROCUREMENT, AS_OF + timedelta(days=1))], Fraction(2)),
        ([rot(PROCUREMENT, 14), rot(PROCUREMENT, 14, end=AS_OF + timedelta(days=14))], Fraction(2)),
        ([rot(PROCUREMENT, 14, end=AS_OF)], Fraction(2)),
    ],
)
def test_only_rotations_completed_by_as_of_count(rotations, expected_weeks: Fraction) -> None:
    """Ongoing rotations and ones ending after the as-of date are ignored."""
    (criterion,) = evaluate(role(total=8), rotations, [], AS_OF).criteria
    assert criterion.progress == expected_weeks / 8


# --- distinct job types ------------------------------------------------------


@pytest.mark.parametrize(
    ("jobs", "met", "progress", "missing"),
    [
        ([PROCUREMENT, WAREHOUSE, PLANNING], True, Fraction(1), None),
        ([PROCUREMENT, WAREHOUSE], False, Fraction(2, 3), "needs 1 more job type (has 2 of 3)"),
        ([PROCUREMENT, PROCUREMENT], False, Fraction(1, 3), "needs 2 more job types (has 1 of 3)"),
        ([], False, Fraction(0), "needs 3 more job types (has 0 of 3)"),
        ([PROCUREMENT, WAREHOUSE, PLANNING, 4], True, Fraction(1), None),
    ],
)
def test_distinct_job_types(jobs: list[int], met: bool, progress: Fraction, missing: str | None) -> None:
    """Distinct job types with a completed rotation, singular and plural sentences."""
    rotations = [rot(job, 7, end=AS_OF - timedelta(days=7 * i)) for i, job in enumerate(jobs)]
    (criterion,) = evaluate(role(distinct=3), rotations, [], AS_OF).criteria
    assert criterion.kind == "distinct_job_types"
    assert (criterion.met, criterion.progress, criterion.missing) == (met, progress, missing)


def test_distinct_ignores_ongoing_and_future_rotations() -> None:
    """A job type only started, or ending after the as-of date, does not count."""
    rotations = [rot(PROCUREMENT, 7), ongoing(WAREHOUSE, AS_OF), rot(PLANNING, 7, end=AS_OF + timedelta(days=7))]
    (criterion,) = evaluate(role(distinct=2), rotations, [], AS_OF).criteria
    assert criterion.missing == "needs 1 more job type (has 1 of 2)"


# --- ratings -----------------------------------------------------------------

EARLY, LATE = AS_OF - timedelta(days=60), AS_OF - timedelta(days=10)
TOMORROW = AS_OF + timedelta(days=1)
NEEDS_RATING = "needs a rating of 4 or more in Warehouse operations"
NEEDS_AUDIT = "needs Audit Fundamentals at 70 or more"


@pytest.mark.parametrize(
    ("rotations", "met", "missing"),
    [
        ([rot(WAREHOUSE, 7, rating=4)], True, None),
        ([rot(WAREHOUSE, 7, rating=5)], True, None),
        ([rot(WAREHOUSE, 7, rating=3)], False, f"{NEEDS_RATING}, latest 3"),
        ([], False, f"{NEEDS_RATING}, no rated rotation yet"),
        ([rot(WAREHOUSE, 7)], False, f"{NEEDS_RATING}, no rated rotation yet"),
        ([rot(WAREHOUSE, 7, end=EARLY, rating=5), rot(WAREHOUSE, 7, end=LATE, rating=3)], False,
         f"{NEEDS_RATING}, latest 3"),
        ([rot(WAREHOUSE, 7, end=LATE, rating=3), rot(WAREHOUSE, 7, end=EARLY, rating=5)], False,
         f"{NEEDS_RATING}, latest 3"),
        ([rot(WAREHOUSE, 7, end=EARLY, rating=3), rot(WAREHOUSE, 7, end=LATE, rating=4)], True, None),
        ([rot(WAREHOUSE, 7, end=EARLY, rating=4), rot(WAREHOUSE, 7, end=LATE)], True, None),
        ([rot(WAREHOUSE, 7, end=EARLY, rating=4), rot(WAREHOUSE, 7, end=TOMORROW, rating=2)],
         True, None),
        ([rot(WAREHOUSE, 7, end=EARLY, rating=4), ongoing(WAREHOUSE, LATE)], True, None),
        ([rot(PROCUREMENT, 7, rating=5)], False,
         f"{NEEDS_RATING}, no rated rotation yet"),
    ],
)
def test_latest_rating(rotations, met: bool, missing: str | None) -> None:
    """Latest rated completed rotation wins; unrated, ongoing and future ones are ignored."""
    req = weeks_req(job=WAREHOUSE, weeks=0, rating=4)
    (criterion,) = evaluate(role(rotations=[req]), rotations, [], AS_OF).criteria
    assert (criterion.kind, criterion.label) == ("job_type_rating", "a rating of 4 or more in Warehouse operations")
    assert (criterion.met, criterion.progress, criterion.missing) == (met, Fraction(int(met)), missing)


# --- modules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("results", "met", "missing"),
    [
        ([result("70", AS_OF)], True, None),
        ([result("70.00", AS_OF)], True, None),
        ([result("69.5", AS_OF)], False, f"{NEEDS_AUDIT}, best valid score 69.5"),
        ([result("62.00", EARLY)], False, f"{NEEDS_AUDIT}, best valid score 62"),
        ([], False, f"{NEEDS_AUDIT}, no valid result"),
        ([result("62", EARLY), result("80", LATE), result("75", LATE)], True, None),
        ([result("90", TOMORROW)], False, f"{NEEDS_AUDIT}, no valid result"),
        ([result("90", TOMORROW), result("50", EARLY)], False,
         f"{NEEDS_AUDIT}, best valid score 50"),
        ([result("95", LATE, module=AUDIT + 1)], False, f"{NEEDS_AUDIT}, no valid result"),
    ],
)
def test_module_score(results, met: bool, missing: str | None) -> None:
    """Best valid score against the minimum: exact, half a point short, future results ignored."""
    (criterion,) = evaluate(role(modules=[module_req("70.00")]), [], results, AS_OF).criteria
    assert (criterion.kind, criterion.label) == ("module_score", "Audit Fundamentals at 70 or more")
    assert (criterion.met, criterion.progress, criterion.missing) == (met, Fraction(int(met)), missing)


@pytest.mark.parametrize(
    ("completed_on", "months", "as_of", "valid"),
    [
        (date(2023, 6, 30), 12, date(2024, 6, 30), False),
        (date(2023, 7, 1), 12, date(2024, 6, 30), True),
        (date(2024, 1, 31), 1, date(2024, 2, 29), False),
        (date(2024, 1, 31), 1, date(2024, 2, 28), True),
        (date(2023, 1, 31), 1, date(2023, 2, 28), False),
        (date(2023, 1, 31), 1, date(2023, 2, 27), True),
        (date(2010, 1, 1), None, date(2024, 6, 30), True),
        (date(2024, 6, 30), 1, date(2024, 6, 30), True),
        (date(2024, 7, 1), None, date(2024, 6, 30), False),
    ],
)
def test_module_validity(completed_on: date, months: int | None, as_of: date, valid: bool) -> None:
    """Validity ending exactly on the as-of date is invalid; one day before is valid."""
    evaluation = evaluate(role(modules=[module_req(months=months)]), [], [result("80", completed_on)], as_of)
    assert evaluation.ready is valid


def test_expired_better_score_falls_back_to_valid_one() -> None:
    """An expired high score does not count; the best still valid one does."""
    results = [result("95", date(2023, 1, 1)), result("65", date(2024, 1, 1))]
    evaluation = evaluate(role(modules=[module_req(months=12)]), [], results, AS_OF)
    assert evaluation.unmet == [f"{NEEDS_AUDIT}, best valid score 65"]


# --- whole evaluation --------------------------------------------------------


def test_role_without_criteria_is_ready_with_progress_one() -> None:
    """No criteria: ready, progress 1, nothing unmet."""
    evaluation = evaluate(role(), [], [], AS_OF)
    assert (evaluation.ready, evaluation.progress, evaluation.criteria, evaluation.unmet) == (True, 1, (), [])
    assert evaluation.role_code == "audit"


@pytest.mark.parametrize(
    ("rotation_days", "score", "progress", "ready"),
    [
        (84, "70", Fraction(1), True),
        (42, "70", Fraction(3, 4), False),
        (42, "69.5", Fraction(1, 4), False),
        (0, "69.5", Fraction(0), False),
        (200, "10", Fraction(1, 2), False),
    ],
)
def test_progress_is_mean_of_criteria(rotation_days: int, score: str, progress: Fraction, ready: bool) -> None:
    """Progress is the exact mean of the criteria's progresses."""
    rotations = [rot(PROCUREMENT, rotation_days)] if rotation_days else []
    evaluation = evaluate(role(total=12, modules=[module_req()]), rotations, [result(score, EARLY)], AS_OF)
    assert (evaluation.progress, evaluation.ready) == (progress, ready)
    assert isinstance(evaluation.progress, Fraction)


def test_criteria_and_unmet_order() -> None:
    """Total, distinct, then per rotation requirement weeks then rating, then modules."""
    full = role(
        total=12,
        distinct=3,
        rotations=[weeks_req(PROCUREMENT, 8, 4), weeks_req(WAREHOUSE, 4, 3)],
        modules=[module_req("70")],
    )
    rotations = [rot(PROCUREMENT, 40, rating=3), rot(WAREHOUSE, 28, end=EARLY, rating=3)]
    evaluation = evaluate(full, rotations, [result("62", EARLY)], AS_OF)
    assert [c.kind for c in evaluation.criteria] == [
        "total_weeks", "distinct_job_types", "job_type_weeks", "job_type_rating",
        "job_type_weeks", "job_type_rating", "module_score",
    ]
    assert evaluation.unmet == [
        "needs 2.3 more weeks in total",
        "needs 1 more job type (has 2 of 3)",
        "needs 2.3 more weeks in Procurement desk",
        "needs a rating of 4 or more in Procurement desk, latest 3",
        "needs Audit Fundamentals at 70 or more, best valid score 62",
    ]
    assert not evaluation.ready
    assert evaluation.progress == (Fraction(68, 84) + Fraction(2, 3) + Fraction(40, 56) + 0 + 1 + 1 + 0) / 7


def test_zero_thresholds_add_no_criteria() -> None:
    """min_weeks 0 and no min_rating produce no criteria; total/distinct 0 likewise."""
    evaluation = evaluate(role(rotations=[weeks_req(weeks=0, rating=None)]), [], [], AS_OF)
    assert evaluation.criteria == () and evaluation.ready


def test_facts_accept_one_shot_iterables() -> None:
    """Generators work as inputs (each is read once)."""
    rotations = (r for r in [rot(PROCUREMENT, 56, rating=4)])
    results = (r for r in [result("80", EARLY)])
    spec = role(total=8, distinct=1, rotations=[weeks_req(rating=4)], modules=[module_req()])
    assert evaluate(spec, rotations, results, AS_OF).ready


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        (Fraction(0), "0.00"),
        (Fraction(1), "1.00"),
        (Fraction(2, 3), "0.67"),
        (Fraction(1, 3), "0.33"),
        (Fraction(149, 200), "0.75"),
        (Fraction(3, 4), "0.75"),
        (Fraction(199, 200), "0.99"),
        (Fraction(9999, 10000), "0.99"),
        (Fraction(1, 201), "0.00"),
        (Fraction(1, 200), "0.01"),
    ],
)
def test_format_progress_rounds_half_up_but_only_complete_reads_one(progress: Fraction, expected: str) -> None:
    """Two decimals, half up; 1.00 is kept for a trainee who meets every criterion."""
    assert format_progress(progress) == expected
    assert progress_hundredths(progress) == int(expected.replace(".", ""))

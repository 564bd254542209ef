"""Table-driven tests of the pure rules for rotations and module results (no database)."""
from datetime import date
from decimal import Decimal

import pytest

from tracker.core import parsing
from tracker.trainees import rules

D = date.fromisoformat


@pytest.mark.parametrize("a, b, overlap", [
    (("2025-01-01", "2025-01-31"), ("2025-02-01", "2025-02-28"), False),  # back to back
    (("2025-01-01", "2025-01-31"), ("2025-01-31", "2025-02-28"), True),   # share the last day
    (("2025-01-10", "2025-01-20"), ("2025-01-01", "2025-01-31"), True),   # inside
    (("2025-01-01", None), ("2025-06-01", "2025-06-30"), True),           # ongoing runs into the future
    (("2025-01-01", None), ("2024-06-01", "2024-12-31"), False),          # ongoing started after
    (("2025-01-01", None), ("2024-06-01", None), True),                   # two ongoing
    (("2025-03-01", "2025-03-01"), ("2025-03-01", "2025-03-01"), True),   # one-day rotations on the same day
])
def test_periods_overlap_with_inclusive_ends(a, b, overlap):
    start_a, end_a = D(a[0]), a[1] and D(a[1])
    start_b, end_b = D(b[0]), b[1] and D(b[1])
    assert rules.periods_overlap(start_a, end_a, start_b, end_b) is overlap
    assert rules.periods_overlap(start_b, end_b, start_a, end_a) is overlap


def test_first_overlap_names_the_earliest_clash():
    others = [
        rules.Period(D("2025-03-01"), D("2025-03-31"), "march"),
        rules.Period(D("2025-01-01"), D("2025-01-31"), "january"),
        rules.Period(D("2025-05-01"), None, "may"),
    ]
    assert rules.first_overlap(D("2025-01-15"), D("2025-03-05"), others).label == "january"
    assert rules.first_overlap(D("2025-04-01"), D("2025-04-30"), others) is None
    assert rules.first_overlap(D("2025-04-01"), None, others).label == "may"


@pytest.mark.parametrize("start, clash, field", [
    ("2025-01-15", ("2025-01-01", "2025-01-31"), "start_date"),
    ("2024-12-15", ("2025-01-01", "2025-01-31"), "end_date"),
    ("2025-02-15", ("2025-01-01", None), "start_date"),
])
def test_overlap_is_shown_beside_the_date_that_causes_it(start, clash, field):
    period = rules.Period(D(clash[0]), clash[1] and D(clash[1]), "x")
    assert rules.overlap_field(D(start), period) == field


def test_end_before_start():
    assert rules.end_before_start(D("2025-02-01"), D("2025-01-31")) == (
        "The end date 2025-01-31 is before the start date 2025-02-01."
    )
    assert rules.end_before_start(D("2025-02-01"), D("2025-02-01")) is None
    assert rules.end_before_start(D("2025-02-01"), None) is None


@pytest.mark.parametrize("text, expected", [("", None), ("  ", None), ("1", 1), ("5", 5), (" 3 ", 3), (None, None), (4, 4)])
def test_parse_rating_accepts_empty_or_1_to_5(text, expected):
    assert parsing.parse_rating(text) == expected


@pytest.mark.parametrize("text", ["0", "6", "3.5", "-1", "four", "1e0", 9])
def test_parse_rating_refuses_anything_else(text):
    with pytest.raises(ValueError, match="whole number from 1 to 5"):
        parsing.parse_rating(text)


@pytest.mark.parametrize("text, expected", [
    ("0", Decimal("0")), ("100", Decimal("100")), ("72.5", Decimal("72.5")), ("72.55", Decimal("72.55")),
    (" 99.99 ", Decimal("99.99")), ("100.00", Decimal("100.00")), ("72.", Decimal("72")), (".5", Decimal("0.5")),
])
def test_parse_score_accepts_0_to_100_with_two_decimals(text, expected):
    assert parsing.parse_score(text) == expected


@pytest.mark.parametrize("text, reason", [
    ("100.01", "from 0 to 100"), ("101", "from 0 to 100"), ("-1", "from 0 to 100"),
    ("72.555", "at most two decimals"), ("abc", "a number"), ("", "a number"), ("1e2", "a number"),
    ("NaN", "a number"), ("72,5", "a number"),
])
def test_parse_score_refuses_out_of_range_or_malformed(text, reason):
    with pytest.raises(ValueError, match=reason):
        parsing.parse_score(text)


def test_current_rotation_is_the_one_running_today():
    class R:
        def __init__(self, start, end):
            self.start_date, self.end_date = D(start), end and D(end)

    past, running, planned = R("2025-01-01", "2025-01-31"), R("2025-02-01", "2025-03-31"), R("2025-04-01", None)
    assert rules.current_rotation([past, running, planned], D("2025-02-10")) is running
    assert rules.current_rotation([past, running, planned], D("2025-04-10")) is planned
    assert rules.current_rotation([past], D("2025-02-10")) is None


def test_overlap_with_a_running_rotation_says_to_end_it_first():
    running = rules.Period(D("2025-01-01"), None, "the Warehouse rotation from 2025-01-01, still running")
    assert "End that rotation first" in rules.overlap_message(running, D("2025-03-01"))
    assert "End that rotation first" not in rules.overlap_message(running, D("2024-12-01"))
    finished = rules.Period(D("2025-01-01"), D("2025-01-31"), "x")
    assert rules.overlap_message(finished, D("2025-01-15")) == "These dates overlap x. A trainee's rotations may not share a day."

"""ISO weeks of the digest, table-style with no database: parsing, Mondays, time zones, DST, year ends."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.core.formatting import format_day
from tracker.core.weeks import IsoWeek, WeekError, coming_week, current_week, parse_week, week_of


@pytest.mark.parametrize("text, monday", [
    ("2026-W48", date(2026, 11, 23)),
    ("2026-W01", date(2025, 12, 29)),   # week 1 starts in the previous calendar year
    ("2026-W53", date(2026, 12, 28)),   # 2026 has 53 ISO weeks
    ("2027-W01", date(2027, 1, 4)),
    ("2020-W53", date(2020, 12, 28)),
    (" 2026-W10 ", date(2026, 3, 2)),
])
def test_a_week_names_its_monday(text, monday):
    week = parse_week(text)
    assert week.monday == monday and week.sunday == monday + timedelta(days=6)
    assert str(week) == text.strip()


@pytest.mark.parametrize("text, reason", [
    ("2025-W53", "2025 has no ISO week 53"),
    ("2026-W54", "2026 has no ISO week 54"),
    ("2026-W00", "2026 has no ISO week 0"),
    ("2026-w48", "not a week in the form YYYY-Www"),
    ("2026-W5", "not a week in the form YYYY-Www"),
    ("2026W48", "not a week in the form YYYY-Www"),
    ("", "not a week in the form YYYY-Www"),
    ("next week", "not a week in the form YYYY-Www"),
])
def test_a_bad_week_says_why(text, reason):
    with pytest.raises(WeekError, match=reason):
        parse_week(text)


@pytest.mark.parametrize("day, week", [
    (date(2026, 12, 28), "2026-W53"),
    (date(2026, 12, 31), "2026-W53"),
    (date(2027, 1, 1), "2026-W53"),     # New Year's Day 2027 still belongs to 2026's last week
    (date(2027, 1, 3), "2026-W53"),
    (date(2027, 1, 4), "2027-W01"),
    (date(2025, 12, 29), "2026-W01"),   # and 29 December 2025 to 2026's first
])
def test_days_around_new_year_belong_to_iso_weeks(day, week):
    assert str(week_of(day)) == week


def test_the_next_week_after_week_53_is_week_1():
    assert parse_week("2026-W53").next() == IsoWeek(2027, 1)
    assert parse_week("2026-W52").next() == IsoWeek(2026, 53)


def test_the_reported_days_of_week_53_are_the_week_before_it():
    assert parse_week("2026-W53").reported_days == (date(2026, 12, 21), date(2026, 12, 27))
    assert parse_week("2027-W01").reported_days == (date(2026, 12, 28), date(2027, 1, 3))


UTC = UTC


@pytest.mark.parametrize("moment, zone, week", [
    # Europe/Berlin springs forward on Sunday 29 March 2026: 22:30 UTC that Sunday is already Monday 00:30 CEST.
    (datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "Europe/Berlin", "2026-W14"),
    (datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "UTC", "2026-W13"),
    (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), "Europe/Berlin", "2026-W13"),  # 23:59 CEST, still Sunday
    # ... and falls back on Sunday 25 October: 23:30 UTC is Monday 00:30 CET (one hour ahead now, not two).
    (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), "Europe/Berlin", "2026-W44"),
    (datetime(2026, 10, 25, 22, 30, tzinfo=UTC), "Europe/Berlin", "2026-W43"),  # 23:30 CET, still Sunday
    # America/Los_Angeles falls back on Sunday 1 November: 06:30 UTC Monday is still Sunday 22:30 PST.
    (datetime(2026, 11, 2, 6, 30, tzinfo=UTC), "America/Los_Angeles", "2026-W44"),
    (datetime(2026, 11, 2, 8, 30, tzinfo=UTC), "America/Los_Angeles", "2026-W45"),
    # Across the year end: Auckland's Monday 4 January 2027 starts while UTC is still in 2026-W53.
    (datetime(2027, 1, 3, 11, 30, tzinfo=UTC), "Pacific/Auckland", "2027-W01"),
    (datetime(2027, 1, 3, 11, 30, tzinfo=UTC), "UTC", "2026-W53"),
    # ... and Honolulu's Sunday 3 January lasts until 10:00 UTC on the Monday.
    (datetime(2027, 1, 4, 9, 30, tzinfo=UTC), "Pacific/Honolulu", "2026-W53"),
    (datetime(2027, 1, 4, 9, 30), "UTC", "2027-W01"),  # naive moments are UTC, as the database keeps them
])
def test_the_current_week_is_the_week_in_the_programme_time_zone(moment, zone, week):
    assert str(current_week(moment, ZoneInfo(zone))) == week


@pytest.mark.parametrize("day, week", [
    (date(2026, 11, 23), "2026-W48"),  # a Monday: today's digest
    (date(2026, 11, 24), "2026-W49"),  # otherwise next Monday's
    (date(2026, 11, 29), "2026-W49"),
    (date(2026, 12, 29), "2027-W01"),
    (date(2026, 12, 28), "2026-W53"),
])
def test_the_coming_digest_is_the_next_monday_s(day, week):
    assert str(coming_week(day)) == week


def test_days_are_written_without_locale_ambiguity():
    assert format_day(date(2026, 11, 3)) == "Tue 3 Nov 2026"

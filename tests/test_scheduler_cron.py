"""Crontab settings as triggers, the occurrence due now, and period keys (no database)."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.scheduler.cron import (
    CronError,
    crontab_trigger,
    crontab_weekdays,
    latest_occurrence,
    occurrence_key,
)
from tracker.scheduler.jobs import week_key

UTC = UTC
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("*", "*"), ("0", "sun"), ("7", "sun"), ("1", "mon"), ("MON", "mon"), ("sat", "sat"),
        ("1-5", "mon,tue,wed,thu,fri"), ("mon-fri", "mon,tue,wed,thu,fri"), ("fri-sun", "sun,fri,sat"),
        ("5-7", "sun,fri,sat"), ("0,6", "sun,sat"), ("*/2", "sun,tue,thu,sat"), ("1-5/2", "mon,wed,fri"),
        ("0-6", "*"), ("1-7", "*"),
    ],
)
def test_crontab_weekday_numbers_are_sunday_first(field: str, expected: str) -> None:
    """Crontab's 0 (and 7) is Sunday; APScheduler 3's 0 is Monday, so numbers become names."""
    assert crontab_weekdays(field) == expected


@pytest.mark.parametrize("expression", ["0 7 * * 8", "0 7 * * 5-1", "0 7 * * mon-xyz", "0 7 * * */0", "0 7 * * 1/x",
                                        "0 25 * * *", "* * *", "", "61 * * * *", "1 2 3 4 5 6 7"])
def test_a_bad_expression_is_refused_with_a_reason(expression: str) -> None:
    with pytest.raises(CronError, match="crontab expression"):
        crontab_trigger(expression, UTC)


def test_the_digest_default_fires_on_monday_mornings_and_a_numeric_monday_too() -> None:
    sunday = datetime(2025, 6, 29, 12, 0, tzinfo=UTC)
    for expression in ("0 7 * * mon", "0 7 * * 1"):
        assert crontab_trigger(expression, UTC).get_next_fire_time(None, sunday) == datetime(2025, 6, 30, 7, 0, tzinfo=UTC)


def test_the_cron_is_read_in_the_programme_time_zone() -> None:
    fire = crontab_trigger("0 2 * * *", PARIS).get_next_fire_time(None, datetime(2025, 6, 29, 12, 0, tzinfo=UTC))
    assert fire == datetime(2025, 6, 30, 2, 0, tzinfo=PARIS) and fire.utcoffset() == timedelta(hours=2)


def test_six_fields_put_seconds_first() -> None:
    trigger = crontab_trigger("*/2 * * * * *", UTC)
    assert trigger.get_next_fire_time(None, datetime(2025, 6, 30, 10, 0, 1, tzinfo=UTC)) == datetime(2025, 6, 30, 10, 0, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "now", "grace", "expected"),
    [
        ("0 2 * * *", datetime(2025, 6, 30, 10, 0), timedelta(hours=12), datetime(2025, 6, 30, 2, 0)),
        ("0 2 * * *", datetime(2025, 6, 30, 10, 0), timedelta(hours=6), None),
        ("0 2 * * *", datetime(2025, 6, 30, 2, 0), timedelta(hours=1), datetime(2025, 6, 30, 2, 0)),
        ("0 2 * * *", datetime(2025, 6, 30, 1, 59), timedelta(days=2), datetime(2025, 6, 29, 2, 0)),
        ("*/2 * * * * *", datetime(2025, 6, 30, 10, 0, 5, 500000), timedelta(hours=12), datetime(2025, 6, 30, 10, 0, 4)),
        ("0 7 * * mon", datetime(2025, 7, 3, 9, 0), timedelta(days=7), datetime(2025, 6, 30, 7, 0)),
        ("*/15 * * * *", datetime(2025, 6, 30, 10, 14, 59), timedelta(hours=1), datetime(2025, 6, 30, 10, 0)),
    ],
)
def test_latest_occurrence_is_the_last_fire_time_within_the_grace(expression, now, grace, expected) -> None:
    trigger = crontab_trigger(expression, UTC)
    found = latest_occurrence(trigger, now.replace(tzinfo=UTC), grace)
    assert found == (expected.replace(tzinfo=UTC) if expected else None)


@pytest.mark.parametrize(
    ("occurrence", "key"),
    [
        (datetime(2025, 6, 30, 2, 0, tzinfo=PARIS), "2025-06-30T02:00:00+02:00"),
        (datetime(2025, 10, 26, 2, 30, fold=0, tzinfo=PARIS), "2025-10-26T02:30:00+02:00"),
        (datetime(2025, 10, 26, 2, 30, fold=1, tzinfo=PARIS), "2025-10-26T02:30:00+01:00"),
    ],
)
def test_an_occurrence_key_is_its_local_time_with_the_offset(occurrence: datetime, key: str) -> None:
    """The same wall time twice on the night clocks go back gets two keys."""
    assert occurrence_key(occurrence) == key


@pytest.mark.parametrize(
    ("day", "key"),
    [(datetime(2025, 6, 30, 7), "2025-W27"), (datetime(2025, 12, 29, 7), "2026-W01"), (datetime(2027, 1, 3, 7), "2026-W53")],
)
def test_the_digest_key_is_the_iso_week(day: datetime, key: str) -> None:
    assert week_key(day.replace(tzinfo=UTC)) == key

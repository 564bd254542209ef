"""Crontab settings as triggers, the occurrence due now, and period keys (no database).

croniter (pinned in requirements-dev.txt) is the independent implementation
the fire times are checked against; a few cases are also written out by hand.
"""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from croniter import croniter

from tracker.scheduler.cron import (
    CronError,
    crontab_trigger,
    latest_occurrence,
    occurrence_key,
    parse_crontab,
)
from tracker.scheduler.jobs import week_key

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # its clocks move by half an hour


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("*", "0123456"), ("0", "0"), ("7", "0"), ("1", "1"), ("MON", "1"), ("sat", "6"),
        ("1-5", "12345"), ("mon-fri", "12345"), ("Mon-Fri", "12345"), ("fri-sun", "056"), ("5-7", "056"), ("5-0", "056"),
        ("0,6", "06"), ("*/2", "0246"), ("1-5/2", "135"), ("0-6", "0123456"), ("1-7", "0123456"),
        ("0-7", "0123456"), ("0-7/2", "0246"), ("1-7/2", "0135"), ("1/2", "135"), ("sun,7", "0"),
    ],
)
def test_weekdays_count_from_sunday_and_7_is_sunday_too(field: str, expected: str) -> None:
    """Crontab's 0 and 7 are Sunday: '0-7' is the whole week, not Sundays only."""
    assert parse_crontab(f"0 7 * * {field}").weekdays == {int(day) for day in expected}


@pytest.mark.parametrize("expression", ["0 7 * * 8", "0 7 * * 5-1", "0 7 * * mon-xyz", "0 7 * * */0", "0 7 * * 1/x",
                                        "0 25 * * *", "* * *", "", "61 * * * *", "1 2 3 4 5 6 7", "0 0 0 * *",
                                        "0 0 * 13 *", "0 0 * foo *", "-1 * * * *", "0 0 * * 1-", "0 0 1,,2 * *",
                                        "0 0 * * ?", "0 0 L * *", "0 0 * * 1#2", "0 0 ² * *"])
def test_a_bad_expression_is_refused_with_a_reason(expression: str) -> None:
    with pytest.raises(CronError, match="crontab expression"):
        crontab_trigger(expression, UTC)


@pytest.mark.parametrize("expression", ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 30-31 feb *"])
def test_an_expression_that_never_fires_is_refused(expression: str) -> None:
    with pytest.raises(CronError, match="never fires"):
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


# --- cron's meaning, against croniter --------------------------------------------------------------

EXPRESSIONS = [
    "* * * * *", "*/15 * * * *", "0 * * * *", "5/20 * * * *", "0 2 * * *", "30 2 * * *", "15,45 2 * * *",
    "0 1-3 * * *", "*/30 1-3 * * *", "0 7 * * mon", "0 7 * * 1", "0 7 * * MON", "0 9 * * mon-fri", "0 9 * * 1-5",
    "0 18 * * 1-5/2", "0 8-18/2 * * mon-fri", "0 0 * * 0", "0 0 * * 7", "0 0 * * 0-7", "0 0 * * 0-7/2",
    "0 0 * * 1-7/2", "0 0 * * */2", "0 0 * * 5-7", "0 0 * * fri-sun", "0 0 * * sat,sun", "0 0 * * 0,6",
    "0 0 * * sun-tue", "0 9 1-7 * 1", "0 9 1 * mon", "0 9 13 * fri", "0 9 1,15 * sun", "0 9 */2 * mon",
    "0 9 1-31 * 1", "0 9 15 * 0-7", "0 6 1/2 * *", "0 0 31 * *", "0 0 30 * *", "0 0 28-31 * *", "59 23 31 12 *",
    "0 12 29 2 *", "0 12 29 feb mon", "0 0 1 jan *", "0 0 1 JAN-MAR,oct *", "0 0 1 */3 *", "0 9 * jan-dec/3 7",
    "*/20 30 2 * * *",
]
ZONES = [UTC, PARIS, NEW_YORK]
STARTS = [
    datetime(2024, 2, 27, 13, 37),  # a leap February
    datetime(2025, 3, 8, 23, 0), datetime(2025, 3, 29, 22, 0), datetime(2025, 3, 30, 0, 0, 1),  # clocks go forward
    datetime(2025, 10, 25, 23, 30), datetime(2025, 11, 1, 23, 45),  # clocks go back
    datetime(2025, 6, 1), datetime(2025, 12, 31, 23, 59, 59),
]
FIRES = 5


def fire_times(expression: str, zone, start: datetime, count: int = FIRES) -> list[str]:
    """Our next fire times after `start`, as APScheduler asks for them: the first, then each after the last."""
    trigger = crontab_trigger(expression, zone)
    fires, fire = [], trigger.get_next_fire_time(None, start + timedelta(microseconds=1))
    while fire is not None and len(fires) < count:
        fires.append(fire.isoformat())
        fire = trigger.get_next_fire_time(fire, fire)
    return fires


def croniter_times(expression: str, start: datetime, count: int = FIRES) -> list[str]:
    seconds_first = len(expression.split()) == 6
    times = croniter(expression, start, second_at_beginning=seconds_first)
    return [times.get_next(datetime).isoformat() for _ in range(count)]


def test_the_table_is_wide_enough() -> None:
    assert len(EXPRESSIONS) >= 34 and len(set(EXPRESSIONS)) == len(EXPRESSIONS)


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_fire_times_are_cron_s_as_croniter_computes_them(expression: str) -> None:
    """Every expression, in UTC and two zones with daylight saving, from several moments: the next five fire times."""
    differences = []
    for zone in ZONES:
        for start in STARTS:
            start = start.replace(tzinfo=zone)
            ours, theirs = fire_times(expression, zone, start), croniter_times(expression, start)
            if ours != theirs:
                differences.append(f"{zone} from {start.isoformat()}: ours {ours}, croniter {theirs}")
    assert not differences, "\n".join(differences)


@pytest.mark.parametrize(
    ("expression", "zone", "start", "expected"),
    [
        # Day of month OR weekday when both are restricted: days 1-7 and every Monday.
        ("0 9 1-7 * 1", UTC, datetime(2025, 6, 5, 12), ["2025-06-06T09:00:00+00:00", "2025-06-07T09:00:00+00:00",
                                                         "2025-06-09T09:00:00+00:00", "2025-06-16T09:00:00+00:00"]),
        # ...but when the weekday is '*', the day of month alone decides (and the other way round).
        ("0 9 1-2 * *", UTC, datetime(2025, 6, 1, 12), ["2025-06-02T09:00:00+00:00", "2025-07-01T09:00:00+00:00"]),
        ("0 9 * * 1", UTC, datetime(2025, 6, 1, 12), ["2025-06-02T09:00:00+00:00", "2025-06-09T09:00:00+00:00"]),
        # 0-7 is every day; 0-7/2 is Sunday, Tuesday, Thursday, Saturday (2 June 2025 is a Monday).
        ("0 0 * * 0-7", UTC, datetime(2025, 6, 2, 12), ["2025-06-03T00:00:00+00:00", "2025-06-04T00:00:00+00:00"]),
        ("0 0 * * 0-7/2", UTC, datetime(2025, 6, 2, 12), ["2025-06-03T00:00:00+00:00", "2025-06-05T00:00:00+00:00",
                                                           "2025-06-07T00:00:00+00:00", "2025-06-08T00:00:00+00:00"]),
        # A time the clocks skip fires as the gap ends; a repeated one fires at both offsets.
        ("30 2 * * *", PARIS, datetime(2025, 3, 29, 12), ["2025-03-30T03:00:00+02:00", "2025-03-31T02:30:00+02:00"]),
        ("30 2 * * *", PARIS, datetime(2025, 10, 25, 12), ["2025-10-26T02:30:00+02:00", "2025-10-26T02:30:00+01:00",
                                                            "2025-10-27T02:30:00+01:00"]),
        # APScheduler's CronTrigger skips 31 March here (and 1 January 2026 below): we do not.
        ("0 0 * * *", PARIS, datetime(2025, 3, 30, 0, 0, 1), ["2025-03-31T00:00:00+02:00", "2025-04-01T00:00:00+02:00"]),
        ("0 0 1 jan *", LORD_HOWE, datetime(2025, 6, 1), ["2026-01-01T00:00:00+11:00", "2027-01-01T00:00:00+11:00"]),
        # Lord Howe's clocks jump from 02:00 to 02:30: 02:00 fires at 02:30, as in Paris (croniter skips it there).
        ("0 * * * *", LORD_HOWE, datetime(2025, 10, 5, 1, 30), ["2025-10-05T02:30:00+11:00", "2025-10-05T03:00:00+11:00"]),
        # 29 February, next in 2028; the 31st only in months that have one.
        ("0 12 29 2 *", UTC, datetime(2025, 3, 1), ["2028-02-29T12:00:00+00:00", "2032-02-29T12:00:00+00:00"]),
        ("0 0 31 * *", UTC, datetime(2025, 4, 1), ["2025-05-31T00:00:00+00:00", "2025-07-31T00:00:00+00:00"]),
    ],
)
def test_fire_times_checked_by_hand(expression: str, zone, start: datetime, expected: list[str]) -> None:
    assert fire_times(expression, zone, start.replace(tzinfo=zone), len(expected)) == expected


@pytest.mark.parametrize("expression", ["30 2 * * *", "*/30 * * * *", "0 * * * *", "15,45 2 * * *", "0 3 * * *",
                                        "0 2 * * *", "0 9 1-7 * 1", "0 7 * * mon", "0 0 * * 0-7/2", "0 12 29 2 *"])
@pytest.mark.parametrize(
    "now",
    [
        datetime(2025, 10, 26, 2, 20, tzinfo=PARIS), datetime(2025, 10, 26, 2, 20, fold=1, tzinfo=PARIS),
        datetime(2025, 10, 26, 2, 50, tzinfo=PARIS), datetime(2025, 10, 26, 3, 10, tzinfo=PARIS),
        datetime(2025, 3, 30, 1, 59, tzinfo=PARIS), datetime(2025, 3, 30, 3, 10, tzinfo=PARIS),
        datetime(2025, 6, 2, 8, 59, 59, tzinfo=PARIS),
    ],
)
def test_latest_occurrence_is_croniter_s_previous_fire_time(expression: str, now: datetime) -> None:
    """The scheduler's catch-up asks for the latest occurrence: right on the nights the clocks change too."""
    expected = croniter(expression, now).get_prev(datetime)
    found = latest_occurrence(crontab_trigger(expression, PARIS), now, timedelta(days=5 * 366))
    assert found.isoformat() == expected.isoformat()


def test_the_trigger_runs_in_apscheduler() -> None:
    """APScheduler takes the trigger as any other and shows the expression."""
    scheduler = BackgroundScheduler(timezone=PARIS)
    job = scheduler.add_job(print, crontab_trigger("0 9 1-7 * 1", PARIS), id="probe")
    assert str(job.trigger) == "crontab[0 9 1-7 * 1]"

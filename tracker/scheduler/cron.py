"""Crontab expressions as APScheduler triggers, and the occurrence a scheduler should be doing now."""
from datetime import datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger

from tracker.core.errors import TrackerError

CRONTAB_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


class CronError(TrackerError):
    """A setting is not a crontab expression; the message says which and why."""


def crontab_trigger(expression: str, zone: tzinfo) -> CronTrigger:
    """A trigger from crontab syntax: minute hour day month weekday, or six fields with seconds first.

    Weekday numbers follow crontab (0 and 7 are Sunday), not APScheduler 3's
    Monday-first numbering, so "0 7 * * 1" fires on Mondays as it would in cron.
    Unlike cron, a restricted day of month and weekday must both match.
    """
    fields = expression.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise CronError(f"'{expression}' is not a crontab expression: it needs 5 fields (or 6 with seconds first)")
    second, minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(
            second=second, minute=minute, hour=hour, day=day, month=month,
            day_of_week=crontab_weekdays(weekday), timezone=zone,
        )
    except ValueError as exc:
        raise CronError(f"'{expression}' is not a valid crontab expression: {exc}") from None


def crontab_weekdays(field: str) -> str:
    """A crontab weekday field as APScheduler day names: '1-5' -> 'mon,tue,wed,thu,fri'."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        days.update(weekday_part(part, field))
    return "*" if len(days) == 7 else ",".join(CRONTAB_DAYS[day] for day in sorted(days))


def weekday_part(part: str, field: str) -> range | list[int]:
    """The weekdays (0 = Sunday) of one comma-separated part: '*', '*/2', '3', 'mon-fri', '1-5/2'."""
    span, _, step_text = part.partition("/")
    if (step_text and not step_text.isdigit()) or step_text == "0":
        raise ValueError(f"'{field}' has a bad step '{step_text}'")
    step = int(step_text or 1)
    if span == "*":
        return range(0, 7, step)
    first, _, last = span.partition("-")
    start, end = weekday_number(first, field), weekday_number(last or first, field)
    if last and end == 0 and start > 0:
        end = 7  # "fri-sun": Sunday closes the range
    if end < start:
        raise ValueError(f"'{field}' has a backward range '{span}'")
    return [day % 7 for day in range(start, end + 1, step)]


def weekday_number(text: str, field: str) -> int:
    """0-7 (0 and 7 are Sunday) or a three-letter day name."""
    name = text.strip().lower()
    if name in CRONTAB_DAYS:
        return CRONTAB_DAYS.index(name)
    if name.isdigit() and int(name) <= 7:
        return int(name) % 7
    raise ValueError(f"'{field}' has an unknown weekday '{text}'")


def latest_occurrence(trigger: CronTrigger, now: datetime, grace: timedelta) -> datetime | None:
    """The trigger's last fire time at or before `now`, if it is no older than `grace`."""
    earliest, window = now - grace, min(grace, timedelta(minutes=1))
    while True:
        start = max(earliest, now - window)
        fire = trigger.get_next_fire_time(None, start)
        if fire is not None and fire <= now:
            break
        if start == earliest:
            return None
        window *= 4
    while (following := trigger.get_next_fire_time(fire, fire)) is not None and following <= now:
        fire = following
    return fire


def occurrence_key(occurrence: datetime) -> str:
    """A period key naming one occurrence: its local time with the offset (unambiguous across DST)."""
    return occurrence.isoformat(timespec="seconds")

"""Crontab expressions as APScheduler triggers, and the occurrence a scheduler should be doing now.

An expression means what it means to cron (Vixie cron; croniter, which the
tests check every rule against, reads it the same way):
- five fields, minute hour day-of-month month weekday (or six, seconds
  first); lists, ranges and steps (`*/15`, `1-5/2`, `10/20`, which is
  `10-59/20`), month names (`jan`) and weekday names (`mon-fri`) in any case;
- weekdays count from Sunday: 0 and 7 are both Sunday, so `0-7` is every day,
  `0-7/2` is Sunday, Tuesday, Thursday and Saturday, and `5-7` and `fri-sun`
  are Friday to Sunday; other backward ranges (`5-1`) are refused;
- when both the day of month and the weekday are restricted (neither is `*`),
  a day matching EITHER fires: `0 9 1-7 * 1` is 09:00 on days 1 to 7 and on
  every Monday. When one of them is `*`, the other one alone decides. A step
  such as `*/2` restricts its field, as in croniter (Vixie cron takes any field
  starting with `*` as unrestricted, a quirk crontab.guru calls a bug);
- times are wall-clock times in the programme's zone. On the night the clocks
  go forward, a time they skip fires once as the gap ends (`30 2 * * *` fires
  at 03:00); on the night they go back, a time that happens twice fires twice,
  once at each offset (the occurrence keys below tell the two apart).

APScheduler's own CronTrigger reads the day of month and the weekday with AND,
and around daylight saving changes it skips days (after midnight on the day
the clocks go forward, its next daily run is two days later) and returns wall
times that do not exist; so the expression is matched here, on wall-clock
times, and `CrontabTrigger` hands the result to APScheduler.
"""
import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger

from tracker.core.errors import TrackerError

CRONTAB_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
SECOND = timedelta(seconds=1)
YEARS_SEARCHED = 30  # a valid expression fires within 8 years (29 February); this only bounds the loop


class CronError(TrackerError):
    """A setting is not a crontab expression; the message says which and why."""


@dataclass(frozen=True)
class CronFields:
    """The values each field allows; weekdays 0-6 from Sunday."""

    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    either_day: bool  # both the day of month and the weekday are restricted: either one will do

    def day_matches(self, day: date) -> bool:
        by_date, by_weekday = day.day in self.days, day.isoweekday() % 7 in self.weekdays
        return (by_date or by_weekday) if self.either_day else (by_date and by_weekday)

    def next_wall_time(self, after: datetime) -> datetime | None:
        """The first matching wall-clock time (naive, whole seconds) strictly after `after`."""
        moment = after.replace(microsecond=0) + SECOND
        last_year = moment.year + YEARS_SEARCHED
        while moment.year <= last_year:
            if moment.month not in self.months:
                moment = datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1)
            elif not self.day_matches(moment.date()):
                moment = next_midnight(moment)
            elif moment.hour not in self.hours:
                hour = next_value(self.hours, moment.hour)
                moment = moment.replace(hour=hour, minute=0, second=0) if hour is not None else next_midnight(moment)
            elif moment.minute not in self.minutes:
                minute = next_value(self.minutes, moment.minute)
                moment = (moment.replace(minute=minute, second=0) if minute is not None
                          else moment.replace(minute=0, second=0) + timedelta(hours=1))
            elif moment.second not in self.seconds:
                second = next_value(self.seconds, moment.second)
                moment = moment.replace(second=second) if second is not None else moment.replace(second=0) + timedelta(minutes=1)
            else:
                return moment
        return None


def next_midnight(moment: datetime) -> datetime:
    return datetime.combine(moment.date() + timedelta(days=1), time())


def next_value(allowed: frozenset[int], value: int) -> int | None:
    """The smallest allowed value above `value`, or None."""
    return min((v for v in allowed if v > value), default=None)


def parse_crontab(expression: str) -> CronFields:
    """The values each field of a crontab expression allows; CronError says what is wrong."""
    fields = expression.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise CronError(f"'{expression}' is not a crontab expression: it needs 5 fields (or 6 with seconds first)")
    second, minute, hour, day, month, weekday = fields
    try:
        parsed = CronFields(
            seconds=field_values(second, "second", 0, 59),
            minutes=field_values(minute, "minute", 0, 59),
            hours=field_values(hour, "hour", 0, 23),
            days=field_values(day, "day of month", 1, 31),
            months=field_values(month, "month", 1, 12, names=MONTHS, first_name=1),
            weekdays=frozenset(d % 7 for d in field_values(weekday, "weekday", 0, 7, names=CRONTAB_DAYS)),
            either_day=day != "*" and weekday != "*",
        )
    except ValueError as exc:
        raise CronError(f"'{expression}' is not a valid crontab expression: {exc}") from None
    if not parsed.either_day and not any(d <= calendar.monthrange(2000, m)[1] for m in parsed.months for d in parsed.days):
        raise CronError(f"'{expression}' never fires: none of its months has such a day")
    return parsed


def field_values(field: str, what: str, low: int, high: int, names: tuple[str, ...] = (), first_name: int = 0) -> frozenset[int]:
    """The values of one field: a comma-separated list of '*', 'n', 'a-b', each optionally with '/step'."""
    values: set[int] = set()
    for part in field.split(","):
        span, slash, step_text = part.partition("/")
        if slash and not (step_text.isascii() and step_text.isdigit() and int(step_text) > 0):
            raise ValueError(f"the {what} '{field}' has a bad step '{step_text}'")
        top = 6 if what == "weekday" else high  # '*' and '2/3' stop at Saturday: 7 is only another name for Sunday
        if span == "*":
            first, last = low, top
        else:
            start, dash, end = span.partition("-")
            first = field_value(start, field, what, low, high, names, first_name)
            last = field_value(end, field, what, low, high, names, first_name) if dash else (top if slash else first)
            if what == "weekday" and dash and last == 0 and first > 0:
                last = 7  # "fri-sun", "5-0": Sunday closes the week
            if last < first:
                raise ValueError(f"the {what} '{field}' has a backward range '{span}'")
        values.update(range(first, last + 1, int(step_text or 1)))
    return frozenset(values)


def field_value(text: str, field: str, what: str, low: int, high: int, names: tuple[str, ...], first_name: int) -> int:
    """One number in `low`-`high`, or a three-letter name."""
    name = text.strip().lower()
    if name in names:
        return names.index(name) + first_name
    if name.isascii() and name.isdigit() and low <= int(name) <= high:
        return int(name)
    raise ValueError(f"the {what} '{field}' has '{text}', not a {what} ({low}-{high}{' or a name' if names else ''})")


class CrontabTrigger(BaseTrigger):
    """An APScheduler trigger firing on a crontab expression's wall-clock times in a zone (see the module)."""

    def __init__(self, expression: str, fields: CronFields, zone: tzinfo):
        self.expression, self.fields, self.timezone = expression, fields, zone

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        """After the previous fire time; with none, at or after `now` (as APScheduler's triggers do)."""
        if previous_fire_time is not None and previous_fire_time.astimezone(UTC) <= now.astimezone(UTC):
            return self.fire_after(previous_fire_time)
        return self.fire_after(now.astimezone(UTC) - timedelta(microseconds=1))

    def fire_after(self, moment: datetime) -> datetime | None:
        """The first fire time strictly after the instant `moment`, in the zone."""
        local = moment.astimezone(self.timezone)
        found = self.fires_at(self.fields.next_wall_time(local.replace(tzinfo=None)))
        repeat = repeat_start(local)
        if repeat is not None:  # the clocks will go back over this wall time: its matches come round again
            found += self.fires_at(self.fields.next_wall_time(repeat - timedelta(microseconds=1)))
        later = [fire for fire in found if fire.astimezone(UTC) > moment.astimezone(UTC)]
        return min(later, key=lambda fire: fire.astimezone(UTC)) if later else None

    def fires_at(self, wall: datetime | None) -> list[datetime]:
        """When a wall-clock time happens: once, twice (clocks going back), or never (moved to the gap's end)."""
        if wall is None:
            return []
        first, second = (wall.replace(tzinfo=self.timezone, fold=fold) for fold in (0, 1))
        if first.utcoffset() == second.utcoffset():
            return [first]
        if first.astimezone(UTC).astimezone(self.timezone).replace(tzinfo=None) == wall:
            return [first, second]
        return [offset_change(second, first, self.timezone)]  # in a gap, fold 1 reads it with the later offset

    def __str__(self) -> str:
        return f"crontab[{self.expression}]"

    def __repr__(self) -> str:
        return f"<CrontabTrigger {self.expression!r} in {self.timezone}>"


def crontab_trigger(expression: str, zone: tzinfo) -> CrontabTrigger:
    """A trigger from crontab syntax in a zone: minute hour day month weekday, or six fields with seconds first."""
    return CrontabTrigger(expression, parse_crontab(expression), zone)


def repeat_start(local: datetime) -> datetime | None:
    """If `local` is the first of two times its wall-clock time happens, the wall time where the repeat begins."""
    twin = local.replace(fold=1)
    if local.fold or twin.utcoffset() == local.utcoffset():
        return None
    if twin.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return offset_change(local, twin, local.tzinfo).replace(tzinfo=None)


def offset_change(before: datetime, after: datetime, zone: tzinfo) -> datetime:
    """The instant, in the zone, at which the offset of `before` turns into that of `after` (to the second)."""
    low, high = before.astimezone(UTC), after.astimezone(UTC)
    offset = high.astimezone(zone).utcoffset()
    while high - low > SECOND:
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0).astimezone(zone)


def latest_occurrence(trigger: BaseTrigger, now: datetime, grace: timedelta) -> datetime | None:
    """The trigger's last fire time at or before `now`, if it is no older than `grace`.

    Reckoned in UTC: times of one zone compare by wall-clock time, which on the
    night the clocks go back puts 02:30 (the second time) before 02:40 (the first).
    """
    now = now.astimezone(UTC)
    earliest, window = now - grace, min(grace, timedelta(minutes=1))
    while True:
        start = max(earliest, now - window)
        fire = trigger.get_next_fire_time(None, start)
        if fire is not None and fire.astimezone(UTC) <= now:
            break
        if start == earliest:
            return None
        window *= 4
    while (following := trigger.get_next_fire_time(fire, fire)) is not None and following.astimezone(UTC) <= now:
        fire = following
    return fire


def occurrence_key(occurrence: datetime) -> str:
    """A period key naming one occurrence: its local time with the offset (unambiguous across DST)."""
    return occurrence.isoformat(timespec="seconds")

"""The scheduled jobs: what each does, when (a cron setting), and how its occurrences are named."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker.core.weeks import week_of
from tracker.digest import services as digest_services
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.infra.statistics import refresh_statistics
from tracker.mail import sender as mail_sender
from tracker.readiness import services as readiness_services
from tracker.readiness import snapshots
from tracker.scheduler.cron import CronError, crontab_trigger, occurrence_key


@dataclass(frozen=True)
class JobSpec:
    """A scheduled job: its name, the setting holding its cron, its period key, its work."""

    name: str
    cron_setting: str
    period_key: Callable[[datetime], str]
    work: Callable[[datetime, str], dict[str, Any]]


def week_key(occurrence: datetime) -> str:
    """The period key of a weekly job: the ISO week of the occurrence, "2026-W27"."""
    return str(week_of(occurrence.date()))


def readiness_work(occurrence: datetime, period_key: str) -> dict[str, Any]:
    """Bring today's readiness snapshots up to date for the pages (each chunk committed as it goes), then
    raise and clear flags as of the occurrence's date in TRACKER_TIMEZONE (flushed, committed by the runner)."""
    refreshed = snapshots.refresh_all(today())  # first: it commits chunk by chunk, before the run takes its lock
    counts = readiness_services.run_readiness(occurrence.date())
    refresh_statistics(db.session)
    return counts | {"snapshots": refreshed}


def digest_work(occurrence: datetime, period_key: str) -> dict[str, Any]:
    """The weekly digest of the occurrence's ISO week (its mail is committed as it goes, see tracker.mail.sender)."""
    return digest_services.send_weekly_digest(period_key)


def mail_retry_work(occurrence: datetime, period_key: str) -> dict[str, Any]:
    """Another try at every pending mail, of any kind, whose back-off has run out."""
    return mail_sender.retry_due()


JOBS = (
    JobSpec("readiness", "TRACKER_READINESS_CRON", occurrence_key, readiness_work),
    # One digest per ISO week, however often its cron fires.
    JobSpec("digest", "TRACKER_DIGEST_CRON", week_key, digest_work),
    JobSpec("mail_retry", "TRACKER_MAIL_RETRY_CRON", occurrence_key, mail_retry_work),
)


@dataclass(frozen=True)
class ScheduledJob:
    """A job as the admin page shows it: its cron and its next occurrence."""

    name: str
    cron: str
    next_at: datetime | None
    problem: str | None = None


def schedule(config, now: datetime) -> list[ScheduledJob]:
    """Each job's cron setting and next occurrence after `now` (aware, in TRACKER_TIMEZONE)."""
    jobs = []
    for spec in JOBS:
        expression = config[spec.cron_setting]
        try:
            next_at = crontab_trigger(expression, now.tzinfo).get_next_fire_time(None, now)
        except CronError as exc:
            jobs.append(ScheduledJob(spec.name, expression, None, str(exc)))
            continue
        jobs.append(ScheduledJob(spec.name, expression, next_at))
    return jobs

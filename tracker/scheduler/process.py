"""Building and running the scheduler: in its own process (`flask scheduler run`) or in the web process.

The schedule lives in code (a memory job store); what was done lives in the
job_runs table, which decides which scheduler does each occurrence. Each job
fires on its cron; besides, every SCHEDULER_WATCH_SECONDS (and once at start)
each scheduler looks at every job's latest occurrence within the misfire
grace and runs the job now if nobody did it (a missed occurrence is caught up
once), or if its holder's lease has expired (the holder died).
"""
import atexit
import logging
import signal
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from tracker.extensions import db
from tracker.infra.clock import current_clock, utcnow
from tracker.scheduler import runs as claims
from tracker.scheduler.cron import crontab_trigger, latest_occurrence
from tracker.scheduler.jobs import JOBS, JobSpec
from tracker.scheduler.occurrences import run_occurrence

log = logging.getLogger(__name__)


def build_scheduler(app: Flask, scheduler_class: type[BaseScheduler]) -> BaseScheduler:
    """A scheduler with every job on its cron and the watch; CronError when a cron setting is wrong."""
    zone = ZoneInfo(app.config["TRACKER_TIMEZONE"])
    options = {"coalesce": True, "max_instances": 1, "misfire_grace_time": app.config["SCHEDULER_MISFIRE_GRACE_SECONDS"]}
    scheduler = scheduler_class(
        timezone=zone, jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=4)}, job_defaults=options,
    )
    for spec in JOBS:
        expression = app.config[spec.cron_setting]
        scheduler.add_job(
            run_due, crontab_trigger(expression, zone), args=(app, spec),
            id=spec.name, name=f"{spec.name} ({expression})", **options,
        )
    scheduler.add_job(
        watch, IntervalTrigger(seconds=app.config["SCHEDULER_WATCH_SECONDS"], timezone=zone), args=(app, scheduler),
        # APScheduler keeps its own timeline on the system clock: "run the watch now" means now there.
        id="watch", name=f"watch (every {app.config['SCHEDULER_WATCH_SECONDS']} s)", next_run_time=datetime.now(zone),
        **options,
    )
    return scheduler


def current_occurrence(config, spec: JobSpec) -> tuple[datetime, str] | None:
    """The job's latest occurrence within the misfire grace, and its period key."""
    zone = ZoneInfo(config["TRACKER_TIMEZONE"])
    trigger = crontab_trigger(config[spec.cron_setting], zone)
    grace = timedelta(seconds=config["SCHEDULER_MISFIRE_GRACE_SECONDS"])
    occurrence = latest_occurrence(trigger, current_clock().now().astimezone(zone), grace)
    return (occurrence, spec.period_key(occurrence)) if occurrence else None


def occurrence_state(config, spec: JobSpec) -> tuple[datetime, str, str] | None:
    """The current occurrence, its key and its claim state ('free', 'expired', 'held', 'done').

    Runs of earlier occurrences whose holder died are recorded as abandoned on the way.
    """
    current = current_occurrence(config, spec)
    key = current[1] if current else None
    for abandoned in claims.abandon_superseded(db.engine, spec.name, key):
        log.warning("job %s %s: abandoned by its holder, superseded by %s", spec.name, abandoned, key)
    if current is None:
        return None
    return *current, claims.state(db.engine, spec.name, key, utcnow())


def run_due(app: Flask, spec: JobSpec) -> str | None:
    """The scheduled job: do its current occurrence unless it is done or held; what happened."""
    with app.app_context():
        found = occurrence_state(app.config, spec)
        if found is None:
            return None
        occurrence, key, state = found
        if state in ("done", "held"):
            log.info("job %s %s: skipped, %s by another scheduler", spec.name, key, state)
            return state
        return run_occurrence(spec.name, key, lambda: spec.work(occurrence, key))


def watch(app: Flask, scheduler: BaseScheduler) -> list[str]:
    """Wake every job whose current occurrence nobody did (missed) or whose holder's lease expired.

    The job itself then runs on its own executor thread (at most one instance
    per job), so a long catch-up never holds up the watch or the other jobs.
    """
    with app.app_context():
        states = [(spec.name, occurrence_state(app.config, spec)) for spec in JOBS]
    for name, found in states:
        if found and found[2] == "held":
            log.info("job %s %s: in progress, its lease is live", name, found[1])
    due = [name for name, found in states if found and found[2] in ("free", "expired")]
    for name in due:
        log.info("job %s: its current occurrence is not done, running it now", name)
        scheduler.modify_job(name, next_run_time=datetime.now(scheduler.timezone))  # now on APScheduler's timeline
    return due


def describe(scheduler: BaseScheduler) -> str:
    """The jobs and their schedules, on one line."""
    return "; ".join(job.name for job in scheduler.get_jobs())


def run_until_stopped(scheduler: BlockingScheduler) -> None:
    """Run in the foreground until SIGTERM or Ctrl-C, then let running jobs finish."""
    def stop(signum, frame):
        if scheduler.running:
            log.info("scheduler stopping (signal %d): waiting for running jobs", signum)
            scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    log.info("scheduler stopped")


def log_jobs(app: Flask) -> None:
    """Job starts, skips and outcomes go to standard error, unless logging is set up otherwise."""
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)


def start_background_scheduler(app: Flask) -> BackgroundScheduler:
    """Start the scheduler in threads of this process (dev server, gunicorn worker); stopped at exit."""
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    atexit.register(lambda: scheduler.running and scheduler.shutdown(wait=False))
    app.logger.info("scheduler started in the web process: %s", describe(scheduler))
    return scheduler

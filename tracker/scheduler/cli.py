"""`flask scheduler run`: the scheduler as its own long-running process."""
import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import AppGroup

from tracker.scheduler.cron import CronError
from tracker.scheduler.process import build_scheduler, describe, log_jobs, run_until_stopped
from tracker.scheduler.runs import owner
from tracker.web.cli import fail

scheduler_cli = AppGroup("scheduler", help="The scheduler of the readiness, digest and mail retry jobs.")


@scheduler_cli.command("run")
def run_command() -> None:
    """Run the scheduler in this process until stopped (SIGTERM or Ctrl-C)."""
    app = current_app._get_current_object()
    try:
        scheduler = build_scheduler(app, BlockingScheduler)
    except CronError as exc:
        fail(str(exc))
    log_jobs(app)
    host, pid = owner()
    click.echo(f"Scheduler running on {host} (pid {pid}): {describe(scheduler)}. Stop with Ctrl-C.")
    run_until_stopped(scheduler)

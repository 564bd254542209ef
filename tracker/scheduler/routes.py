"""The admin page of scheduled jobs: their schedule, recent runs and failures."""
from flask import Blueprint, current_app, render_template

from tracker.auth.access import admin_required
from tracker.infra.clock import local_now, utcnow
from tracker.scheduler import queries
from tracker.scheduler.jobs import schedule

bp = Blueprint("scheduler", __name__, url_prefix="/admin/jobs")


@bp.app_template_global()
def next_run_text(job_name: str) -> str | None:
    """When a scheduled job next runs, as people read it ("Mon 30 Nov at 07:00"), for other pages' empty states."""
    for job in schedule(current_app.config, local_now()):
        if job.name == job_name and job.next_at is not None:
            return f"{job.next_at:%a} {job.next_at.day} {job.next_at:%b} at {job.next_at:%H:%M}"
    return None


@bp.route("/")
@admin_required
def index():
    """What runs when, what ran recently, and what failed."""
    now = utcnow()
    return render_template(
        "scheduler/index.html",
        schedule=schedule(current_app.config, local_now()),
        stalled=queries.stalled_runs(now), failures=queries.recent_failures(), runs=queries.recent_runs(),
        scheduler_enabled=current_app.config["SCHEDULER_ENABLED"], now=now,
    )

"""The admin page of scheduled jobs: their schedule, recent runs and failures."""
from flask import Blueprint, current_app, render_template

from tracker.auth.access import admin_required
from tracker.infra.clock import local_now, utcnow
from tracker.scheduler import queries
from tracker.scheduler.jobs import schedule

bp = Blueprint("scheduler", __name__, url_prefix="/admin/jobs")


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

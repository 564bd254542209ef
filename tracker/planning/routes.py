"""The planner's pages: capacity by job type and week, and the trainees behind each cell."""
from datetime import timedelta

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.access import staff_required
from tracker.catalog.models import JobType, code_is
from tracker.core.weeks import WeekError, parse_week, week_of
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.planning import queries
from tracker.planning.capacity import Cell, busiest_days

bp = Blueprint("planning", __name__, url_prefix="/plan")


@bp.route("/")
@staff_required
def capacity():
    """Job types by the next 26 weeks: the busiest day's trainees against the capacity, each cell a link to who."""
    first_monday = week_of(today()).monday
    rows = queries.capacity_rows(first_monday)
    return render_template("planning/capacity.html", rows=rows, mondays=[c.monday for c in rows[0].cells] if rows else [])


@bp.route("/<code>/<week>")
@staff_required
def cell(code: str, week: str):
    """The trainees on a job type in one week: names of one's own trainees (all, for admins), a count of the others."""
    job_type = db.session.scalar(select(JobType).where(code_is(JobType, code))) or abort(404)
    try:
        monday = parse_week(week).monday
    except WeekError:
        abort(404)
    placements = queries.cell_placements(job_type, monday)
    taken = busiest_days([(p.start, p.end) for p in placements], monday, 1)[0]
    shown = [p for p in placements if current_user.is_admin or p.supervisor_id == current_user.id]
    return render_template(
        "planning/cell.html", job_type=job_type, monday=monday, sunday=monday + timedelta(days=6),
        cell=Cell(monday, taken, job_type.capacity), shown=shown,
        others=len({p.trainee_id for p in placements} - {p.trainee_id for p in shown}),
    )

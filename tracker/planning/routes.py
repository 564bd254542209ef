"""The planner's pages: capacity by job type and week, and the trainees behind each cell."""
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.access import staff_required
from tracker.catalog.models import JobType, code_is
from tracker.core.errors import TrackerError
from tracker.core.parsing import MAX_ID
from tracker.core.weeks import WeekError, parse_week, week_of
from tracker.extensions import db
from tracker.infra.clock import today, utcnow
from tracker.planning import queries, services
from tracker.planning.capacity import Cell, busiest_days
from tracker.planning.forms import AcceptForm, ProposeForm
from tracker.planning.models import PlanRun
from tracker.web.forms import show_error

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


# --- proposals ------------------------------------------------------------------------------------


def my_scope() -> services.Scope:
    """An admin plans for everyone; a supervisor for their own trainees."""
    return services.Scope(supervisor_id=None if current_user.is_admin else current_user.id)


def get_run_or_404(run_id: int) -> PlanRun:
    """A run its maker or an admin may see."""
    run = db.session.get(PlanRun, run_id) if run_id <= MAX_ID else None
    if run is None or not (current_user.is_admin or run.created_by_id == current_user.id):
        abort(404)
    return run


@bp.route("/proposals/new", methods=["GET", "POST"])
@staff_required
def new_proposal():
    """Ask the planner for a proposal; it is solved in the background and shown when ready."""
    scope = my_scope()
    form = ProposeForm(cohorts=queries.cohorts_in(scope.trainees()))
    if form.validate_on_submit():
        values = form.values()
        try:
            run = services.start_run(current_user, services.Scope(values.pop("cohort"), scope.supervisor_id), as_of=today(), **values)
            db.session.commit()
        except TrackerError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            services.launch(run.id)
            return redirect(url_for("planning.proposal", run_id=run.id))
    runs = queries.recent_runs(None if current_user.is_admin else current_user.id)
    return render_template("planning/propose.html", form=form, runs=runs)


@bp.route("/proposals/<int:run_id>")
@staff_required
def proposal(run_id: int):
    """A run: its progress while it solves (the page reloads itself), then the proposal to accept."""
    run = get_run_or_404(run_id)
    state = services.run_state(run)
    if state != "done":
        elapsed = (utcnow() - run.created_at).total_seconds()
        return render_template("planning/running.html", run=run, state=state, elapsed=elapsed)
    trainees = run.result["trainees"]
    form = AcceptForm(choices=[(t["id"], t["name"]) for t in trainees if t["rotations"] and t["id"] not in (run.accepted or [])])
    return render_template(
        "planning/proposal.html", run=run, result=run.result, form=form,
        capacity=queries.capacity_with_proposal(run), accepted=set(run.accepted or []), bars=timeline_bars(run),
    )


def timeline_bars(run: PlanRun) -> dict[int, list[tuple[int, int, dict]]]:
    """Each trainee's proposed rotations as (first day, days) from the run's start, for the timeline."""
    bars = {}
    for t in run.result["trainees"]:
        bars[t["id"]] = []
        for r in t["rotations"]:
            start, end = date.fromisoformat(r["start"]), date.fromisoformat(r["end"])
            bars[t["id"]].append(((start - run.start).days, (end - start).days + 1, r))
    return bars


@bp.route("/proposals/<int:run_id>/accept", methods=["POST"])
@staff_required
def accept(run_id: int):
    """Record the chosen trainees' proposed rotations as planned rotations, all or none."""
    run = get_run_or_404(run_id)
    if services.run_state(run) != "done":
        abort(404)
    open_ids = [t["id"] for t in run.result["trainees"] if t["rotations"] and t["id"] not in (run.accepted or [])]
    form = AcceptForm(choices=[(i, str(i)) for i in open_ids])
    if not form.validate_on_submit():
        flash("Choose the trainees whose rotations to accept from the list.", "error")
        return redirect(url_for("planning.proposal", run_id=run.id))
    chosen = open_ids if request.form.get("all") else form.trainees.data
    try:
        created = services.accept_from_run(run, chosen, current_user)
        db.session.commit()
    except TrackerError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("planning.proposal", run_id=run.id))
    count = len(created)
    flash(f"{count} planned rotation{'' if count == 1 else 's'} recorded for {len(chosen)} trainee{'' if len(chosen) == 1 else 's'}.")
    return redirect(url_for("planning.proposal", run_id=run.id))

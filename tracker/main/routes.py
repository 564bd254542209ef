"""Home (each role's start page), the icon at the root, and the health check."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, text

from tracker.auth.access import staff_required
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.main import matrix as cross_training
from tracker.main.home import what_needs_me
from tracker.main.programme import programme_at_a_glance
from tracker.trainees.access import visible_trainees
from tracker.trainees.models import Trainee
from tracker.trainees.queries import cohorts
from tracker.web.pagination import paginate

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    """Each role's home: a supervisor's is what needs them now, an admin's the programme at a glance; a trainee's is their own page."""
    if current_user.is_trainee:
        return redirect(url_for("main.me"))
    if current_user.is_supervisor:
        return render_template("main/supervisor_home.html", home=what_needs_me(visible_trainees(current_user), today()))
    return render_template("main/admin_home.html", programme=programme_at_a_glance(today()), today=today())


@bp.route("/matrix")
@staff_required
def matrix():
    """Trainees by job types (completed weeks, latest rating) or, with ?view=modules, by modules."""
    view = "modules" if request.args.get("view") == "modules" else "job_types"
    cohort = request.args.get("cohort", "").strip()
    page = paginate(cross_training.ordered_trainees(visible_trainees(current_user), cohort))
    ids = [t.id for t in page.items]
    if view == "modules":
        columns, cells = cross_training.modules(), cross_training.module_cells(ids, today())
    else:
        columns, cells = cross_training.job_types(), cross_training.weeks_cells(ids, today())
    return render_template(
        "main/matrix.html", page=page, view=view, cohort=cohort, columns=columns, cells=cells,
        cohorts=cohorts(visible_trainees(current_user)), shades=cross_training.SHADES,
    )


@bp.route("/me")
@login_required
def me():
    """A trainee's own progress page."""
    trainee_id = db.session.scalar(select(Trainee.id).where(Trainee.user_id == current_user.id))
    if trainee_id is None:
        abort(404)
    return redirect(url_for("trainees.show", trainee_id=trainee_id))


@bp.route("/favicon.ico")
def favicon():
    """The icon browsers ask for at the root (pages link static/favicon.svg; this serves what others ask for)."""
    return current_app.send_static_file("favicon.ico")


@bp.route("/healthz")
def healthz():
    """200 when the app can reach its database."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}

"""Trainee list and trainee page."""
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from tracker.auth.access import staff_required
from tracker.extensions import db
from tracker.readiness.queries import flags_of
from tracker.readiness.services import trainee_progress
from tracker.timeutil import today
from tracker.trainees import queries
from tracker.trainees.access import get_trainee_or_403, visible_trainees
from tracker.trainees.models import TRAINEE_STATUSES

bp = Blueprint("trainees", __name__, url_prefix="/trainees")


@bp.route("/")
@staff_required
def index():
    """The trainees this supervisor (or admin) may see, filtered and paginated."""
    filters = {key: request.args.get(key, "").strip() for key in ("name", "cohort", "status")}
    query = queries.filter_trainees(visible_trainees(current_user), **filters)
    page = db.paginate(query, per_page=current_app.config["TRAINEES_PER_PAGE"], error_out=False)
    return render_template(
        "trainees/index.html", page=page, filters=filters, cohorts=queries.cohorts(), statuses=TRAINEE_STATUSES
    )


@bp.route("/<int:trainee_id>")
@login_required
def show(trainee_id: int):
    """One trainee: profile, current rotation, rotation history and module results."""
    trainee = get_trainee_or_403(trainee_id)
    rotations = queries.rotations_of(trainee)
    current = next((r for r in rotations if r.end_date is None), None)
    return render_template(
        "trainees/show.html", trainee=trainee, rotations=rotations, current=current, results=queries.results_of(trainee),
        progress=trainee_progress(trainee, today()), flags=[] if current_user.is_trainee else flags_of(trainee),
    )

"""Trainee list and trainee page."""
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from tracker.audit.queries import describe_events, history_of
from tracker.auth.access import staff_required
from tracker.extensions import db
from tracker.readiness.queries import flags_of
from tracker.readiness.services import trainee_progress
from tracker.timeutil import today
from tracker.trainees import queries, rules
from tracker.trainees.access import get_trainee_or_403, visible_trainees
from tracker.trainees.models import TRAINEE_STATUSES

bp = Blueprint("trainees", __name__, url_prefix="/trainees")

SORT_LABELS = {"name": "Name", "cohort": "Cohort", "start_date": "Newest start", "status": "Status"}


@bp.route("/")
@staff_required
def index():
    """The trainees this supervisor (or admin) may see, filtered and paginated."""
    filters = {key: request.args.get(key, "").strip() for key in ("name", "cohort", "status", "sort")}
    query = queries.filter_trainees(visible_trainees(current_user), **filters)
    page = db.paginate(query, per_page=current_app.config["TRAINEES_PER_PAGE"], error_out=False)
    return render_template(
        "trainees/index.html", page=page, filters=filters, cohorts=queries.cohorts(visible_trainees(current_user)), statuses=TRAINEE_STATUSES,
        sorts=SORT_LABELS,
    )


@bp.route("/<int:trainee_id>")
@login_required
def show(trainee_id: int):
    """One trainee: profile, current rotation, rotation history and module results."""
    trainee = get_trainee_or_403(trainee_id)
    rotations = queries.rotations_of(trainee)
    current = rules.current_rotation(rotations, today())
    history = describe_events(history_of(trainee.id, for_trainee=current_user.is_trainee))
    return render_template(
        "trainees/show.html", trainee=trainee, rotations=rotations, current=current, results=queries.results_of(trainee),
        history=history,
        progress=trainee_progress(trainee, today()), flags=[] if current_user.is_trainee else flags_of(trainee),
    )

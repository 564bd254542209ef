"""The readiness board and decisions on flags."""
from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Select, select

from tracker.auth.access import staff_required
from tracker.catalog.models import code_key
from tracker.core.formatting import format_date
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.readiness import decisions, queries, rules, services, snapshots
from tracker.readiness.access import get_flag_or_403
from tracker.readiness.board import readiness_board
from tracker.readiness.forms import DeferForm, PlaceForm, ReverseForm
from tracker.readiness.models import ReadinessFlag
from tracker.trainees.access import visible_trainees
from tracker.trainees.listing import ListFilter, add_filter
from tracker.trainees.models import Trainee
from tracker.trainees.queries import cohorts, target_roles_by_trainee

bp = Blueprint("readiness", __name__, url_prefix="/readiness")


# --- the readiness section of a trainee's page (templates/readiness/_trainee_progress.html) ---
# The trainee's page (trainees/routes.py) includes that section; readiness fills it here, so the
# trainees domain, which readiness builds on, never imports readiness back.


@bp.app_template_global()
def readiness_today(trainee: Trainee):
    """The trainee's evaluation for each active role today."""
    return services.trainee_progress(trainee, today())


@bp.app_template_global()
def readiness_forecast(trainee: Trainee) -> dict:
    """The trainee's forecast for each active role today, by role code, as a sentence."""
    return {code: rules.forecast_sentence(f) for code, f in services.trainee_forecast(trainee, today()).items()}


@bp.app_template_global()
def readiness_flags(trainee: Trainee) -> list:
    """The trainee's flags, newest first (shown to staff only)."""
    return queries.flags_of(trainee)


@bp.app_template_global()
def result_validity(result) -> rules.Validity:
    """How long a module result counts, as of today (templates/readiness/_module_results.html)."""
    return rules.validity(result.completed_on, result.module.valid_months, today())


# --- the trainee list's readiness: a filter (trainees/listing.py) and each row's bars and flags ---


def ready_or_nearly_for(query: Select, role_code: str) -> Select:
    """Only the trainees ready, or at least three quarters of the way, for the role (today's snapshots)."""
    role_ids = {role.id for role in queries.load_roles() if code_key(role.code) == code_key(role_code)}
    wanted = [
        entry.trainee_id
        for entry in snapshots.entries(queries.active_trainee_ids(query), today(), snapshots.READY_OR_NEARLY)
        if entry.role_id in role_ids
    ]
    return query.where(Trainee.id.in_(wanted))


def role_choices() -> list[tuple[str, str]]:
    return [(role.code, role.name) for role in queries.load_roles()]


bp.record_once(lambda state: add_filter(state.app, ListFilter(
    "ready_for", "Ready or nearly ready for", "Any role", role_choices, ready_or_nearly_for,
)))


@bp.app_template_global()
def list_readiness(trainees: list[Trainee]) -> dict[int, tuple]:
    """Today's evaluation for each role of these trainees (the active ones), by trainee id: a fixed number of queries."""
    if not trainees:
        return {}
    scope = select(Trainee).where(Trainee.id.in_([t.id for t in trainees]))
    return {trainee_id: result.evaluations for trainee_id, result in services.evaluate_trainees(today(), scope).items()}


@bp.app_template_global()
def list_flags(trainees: list[Trainee]) -> dict[int, list[tuple[ReadinessFlag, str]]]:
    """The open and deferred flags of these trainees with their roles' names, by trainee id (one query)."""
    return queries.standing_flags_named([t.id for t in trainees]) if trainees else {}


@bp.route("/")
@staff_required
def board():
    """Per role: who is ready and since when, who is deferred, who is nearly ready."""
    filters = {key: request.args.get(key, "").strip() for key in ("role", "cohort")}
    scope = visible_trainees(current_user)
    if filters["cohort"]:
        scope = scope.where(Trainee.cohort == filters["cohort"])
    boards = readiness_board(scope, today())
    if filters["role"]:  # ?role=SCM201 or ?role=scm201: the filter shows the role's code as stored
        shown = [b for b in boards if code_key(b.role.code) == code_key(filters["role"])]
        filters["role"] = shown[0].role.code if shown else filters["role"]
    else:
        shown = boards
    return render_template(
        "readiness/board.html", boards=shown, roles=[b.role for b in boards],
        cohorts=cohorts(visible_trainees(current_user)), filters=filters,
        target_roles=target_roles_by_trainee(sorted({e.trainee_id for b in shown for e in (*b.ready, *b.deferred, *b.nearly, *b.soon)})),
    )


@bp.route("/flags/<int:flag_id>")
@staff_required
def flag(flag_id: int):
    """One flag: what was met, its decision and history, and the decision forms."""
    return render_flag(get_flag_or_403(flag_id))


@bp.route("/flags/<int:flag_id>/place", methods=["POST"])
@staff_required
def place(flag_id: int):
    """Decide `placed`."""
    flag = get_flag_or_403(flag_id)
    form = PlaceForm(flag=flag)
    if not form.validate_on_submit():
        return render_flag(flag, place_form=form)
    name, role = flag.trainee.user.name, flag.role.name
    return decide(flag_id, lambda: decisions.place_trainee(flag, form.placed_on.data, form.note.data, current_user),
                  f"{name} is placed in {role} from {format_date(form.placed_on.data)}.")


@bp.route("/flags/<int:flag_id>/defer", methods=["POST"])
@staff_required
def defer(flag_id: int):
    """Decide `deferred`, with a reason and a revisit date."""
    flag = get_flag_or_403(flag_id)
    form = DeferForm()
    if not form.validate_on_submit():
        return render_flag(flag, defer_form=form)
    revisit_on = form.revisit_on.data
    return decide(flag_id, lambda: decisions.defer_flag(flag, form.reason.data, revisit_on, current_user),
                  f"The decision is deferred until {format_date(revisit_on)}: no new flag for this role before then.")


@bp.route("/flags/<int:flag_id>/reverse", methods=["POST"])
@staff_required
def reverse(flag_id: int):
    """Reverse the flag's decision, with a reason."""
    flag = get_flag_or_403(flag_id)
    form = ReverseForm()
    if not form.validate_on_submit():
        return render_flag(flag, reverse_form=form)
    return decide(flag_id, lambda: decisions.reverse_decision(flag, form.reason.data, current_user),
                  "The decision is reversed: the flag is open again.")


def render_flag(flag: ReadinessFlag, **forms):
    """The flag page; 400 when it shows a submitted form's errors."""
    status = 400 if forms else 200
    forms = {"place_form": PlaceForm(flag=flag), "defer_form": DeferForm(), "reverse_form": ReverseForm(), **forms}
    return render_template("readiness/flag.html", flag=flag, history=queries.flag_history(flag), **forms), status


def decide(flag_id: int, decision: Callable[[], None], done: str):
    """Apply a decision and commit, or say why it cannot be made; back to the flag either way."""
    try:
        decision()
    except decisions.DecisionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("readiness.flag", flag_id=flag_id))

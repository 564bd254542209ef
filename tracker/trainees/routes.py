"""The trainee pages: the list, one trainee's page, recording and changing their records, and their profile."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.audit.queries import describe_events, history_of
from tracker.auth.access import admin_required, staff_required
from tracker.core.formatting import format_date
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.trainees import queries, rules, services, timeline
from tracker.trainees.access import get_record_or_403, get_trainee_or_403, visible_trainees
from tracker.trainees.forms import (
    CreditForm,
    DeleteRecordForm,
    EditLeaveForm,
    EditResultForm,
    EditRotationForm,
    EndRotationForm,
    LeaveForm,
    ResultForm,
    RotationForm,
    TargetRolesForm,
    TraineeProfileForm,
)
from tracker.trainees.listing import extra_filters
from tracker.trainees.models import TRAINEE_STATUSES, Credit, Leave, ModuleResult, Rotation, Trainee
from tracker.web.forms import saved
from tracker.web.pagination import paginate

bp = Blueprint("trainees", __name__)

SORT_LABELS = {"name": "Name", "cohort": "Cohort", "start_date": "Newest start", "status": "Status"}


@bp.route("/trainees/")
@staff_required
def index():
    """The trainees this supervisor (or admin) may see, filtered and paginated."""
    filters = {key: request.args.get(key, "").strip() for key in ("name", "cohort", "status", "sort")}
    extras = {f.name: request.args.get(f.name, "").strip() for f in extra_filters()}
    query = visible_trainees(current_user)
    for list_filter in extra_filters():
        if extras[list_filter.name]:
            query = list_filter.narrow(query, extras[list_filter.name])
    page = paginate(queries.filter_trainees(query, **filters))
    return render_template(
        "trainees/index.html", page=page, filters=filters | extras, extra_filters=extra_filters(),
        cohorts=queries.cohorts(visible_trainees(current_user)), statuses=TRAINEE_STATUSES, sorts=SORT_LABELS,
        current=queries.current_rotations([t.id for t in page.items], today()),
        target_roles=queries.target_roles_by_trainee([t.id for t in page.items]),
    )


@bp.route("/trainees/<int:trainee_id>")
@login_required
def show(trainee_id: int):
    """One trainee: profile, current rotation, rotation history and module results (readiness: see readiness/routes.py)."""
    trainee = get_trainee_or_403(trainee_id)
    rotations = queries.rotations_of(trainee)
    current = rules.current_rotation(rotations, today())
    planned = [r for r in rotations if rules.is_planned(r.start_date, today())]
    history = describe_events(history_of(trainee.id, for_trainee=current_user.is_trainee))
    return render_template(
        "trainees/show.html", trainee=trainee, rotations=rotations, current=current, results=queries.results_of(trainee),
        history=history, credits=queries.credits_of(trainee), leave=queries.leave_of(trainee),
        planned=planned, target_roles=queries.target_roles_of(trainee),
    )


@bp.app_template_global()
def rotation_timeline(trainee: Trainee, rotations: list[Rotation], leave: list[Leave] = ()):
    """The rotations and leave as a timeline picture (templates/trainees/_timeline.html), or None without a rotation."""
    return timeline.layout(rotations, today(), trainee.start_date, leave)


# --- recording and changing a trainee's records (supervisors and admins) ---


def back_to(trainee: Trainee, message: str, anchor: str):
    """Flash what happened and return to the trainee's page."""
    flash(message, "success")
    return redirect(url_for("trainees.show", trainee_id=trainee.id, _anchor=anchor))


def describe(record: Rotation | ModuleResult | Credit | Leave) -> str:
    """One line naming a rotation, result, credit or leave, for headings and confirmations."""
    if isinstance(record, Rotation):
        if record.end_date is None:
            return f"{record.job_type.name}, from {format_date(record.start_date)}, ongoing"
        return f"{record.job_type.name}, {format_date(record.start_date)} to {format_date(record.end_date)}"
    if isinstance(record, Credit):
        what = (record.job_type or record.module).name
        return f"{rules.credit_text(record.kind, what, record.weeks, record.rating)}, granted on {format_date(record.granted_on)}"
    if isinstance(record, Leave):
        return f"Leave from {format_date(record.start_date)} to {format_date(record.end_date)} ({record.reason})"
    return f"{record.module.name} on {format_date(record.completed_on)}"


@bp.route("/trainees/<int:trainee_id>/rotations/new", methods=["GET", "POST"])
@staff_required
def new_rotation(trainee_id: int):
    """Record a rotation."""
    trainee = get_trainee_or_403(trainee_id)
    form = RotationForm(trainee=trainee)
    if form.validate_on_submit() and saved(form, services.create_rotation, trainee, supervisor=trainee.supervisor, actor=current_user):
        return back_to(trainee, "Rotation recorded.", "rotations-heading")
    return render_template("trainees/rotation_form.html", form=form, trainee=trainee, title="Record a rotation")


@bp.route("/trainees/<int:trainee_id>/rotations/<int:rotation_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_rotation(trainee_id: int, rotation_id: int):
    """Change a rotation."""
    trainee, rotation = get_record_or_403(Rotation, trainee_id, rotation_id)
    title = f"Edit rotation: {describe(rotation)}"
    form = EditRotationForm(trainee=trainee, rotation=rotation)
    if form.validate_on_submit() and saved(form, services.update_rotation, rotation, actor=current_user):
        return back_to(trainee, "Rotation changed.", "rotations-heading")
    return render_template("trainees/rotation_form.html", form=form, trainee=trainee, title=title)


@bp.route("/trainees/<int:trainee_id>/rotations/<int:rotation_id>/end", methods=["GET", "POST"])
@staff_required
def end_rotation(trainee_id: int, rotation_id: int):
    """End an ongoing rotation and rate it."""
    trainee, rotation = get_record_or_403(Rotation, trainee_id, rotation_id)
    title = f"End and rate: {describe(rotation)}"
    form = EndRotationForm(trainee=trainee, rotation=rotation)
    if form.validate_on_submit() and saved(form, services.end_rotation, rotation, actor=current_user):
        return back_to(trainee, "Rotation ended.", "rotations-heading")
    return render_template("trainees/end_rotation.html", form=form, trainee=trainee, title=title)


@bp.route("/trainees/<int:trainee_id>/results/new", methods=["GET", "POST"])
@staff_required
def new_result(trainee_id: int):
    """Record a module result."""
    trainee = get_trainee_or_403(trainee_id)
    form = ResultForm(trainee=trainee)
    if form.validate_on_submit() and saved(form, services.create_result, trainee, actor=current_user):
        return back_to(trainee, "Module result recorded.", "results-heading")
    return render_template("trainees/result_form.html", form=form, trainee=trainee, title="Record a module result")


@bp.route("/trainees/<int:trainee_id>/results/<int:result_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_result(trainee_id: int, result_id: int):
    """Change a module result."""
    trainee, result = get_record_or_403(ModuleResult, trainee_id, result_id)
    title = f"Edit result: {describe(result)}"
    form = EditResultForm(trainee=trainee, result=result)
    if form.validate_on_submit() and saved(form, services.update_result, result, actor=current_user):
        return back_to(trainee, "Module result changed.", "results-heading")
    return render_template("trainees/result_form.html", form=form, trainee=trainee, title=title)


@bp.route("/trainees/<int:trainee_id>/rotations/<int:record_id>/delete", methods=["GET", "POST"], defaults={"kind": "rotation"})
@bp.route("/trainees/<int:trainee_id>/results/<int:record_id>/delete", methods=["GET", "POST"], defaults={"kind": "result"})
@bp.route("/trainees/<int:trainee_id>/leave/<int:record_id>/delete", methods=["GET", "POST"], defaults={"kind": "leave"})
@staff_required
def delete_record(trainee_id: int, record_id: int, kind: str):
    """Ask to confirm, then delete a rotation, a module result or leave."""
    model, remove, anchor = DELETABLE[kind]
    trainee, record = get_record_or_403(model, trainee_id, record_id)
    summary = describe(record)
    form = DeleteRecordForm(trainee=trainee, record=record)
    if form.validate_on_submit() and saved(form, remove, record, actor=current_user):
        return back_to(trainee, f"Deleted {summary}.", anchor)
    return render_template("trainees/confirm_delete.html", form=form, trainee=trainee, kind=kind, summary=summary)


DELETABLE = {
    "rotation": (Rotation, services.delete_rotation, "rotations-heading"),
    "result": (ModuleResult, services.delete_result, "results-heading"),
    "leave": (Leave, services.delete_leave, "leave-heading"),
}


# --- credits and leave (supervisors for their trainees, admins) ---


@bp.route("/trainees/<int:trainee_id>/credits/new", methods=["GET", "POST"])
@staff_required
def new_credit(trainee_id: int):
    """Grant an experience credit or an exemption."""
    trainee = get_trainee_or_403(trainee_id)
    form = CreditForm(trainee=trainee)
    if form.validate_on_submit() and saved(form, services.grant_credit, trainee, actor=current_user):
        return back_to(trainee, "Credit granted.", "credits-heading")
    return render_template("trainees/credit_form.html", form=form, trainee=trainee, title="Grant a credit for prior learning")


@bp.route("/trainees/<int:trainee_id>/credits/<int:credit_id>/revoke", methods=["GET", "POST"])
@staff_required
def revoke_credit(trainee_id: int, credit_id: int):
    """Ask to confirm, then revoke a credit."""
    trainee, credit = get_record_or_403(Credit, trainee_id, credit_id)
    summary = describe(credit)
    form = DeleteRecordForm(trainee=trainee, record=credit)
    if form.validate_on_submit() and saved(form, services.revoke_credit, credit, actor=current_user):
        return back_to(trainee, f"Revoked {summary}.", "credits-heading")
    return render_template("trainees/confirm_revoke.html", form=form, trainee=trainee, summary=summary)


@bp.route("/trainees/<int:trainee_id>/leave/new", methods=["GET", "POST"])
@staff_required
def new_leave(trainee_id: int):
    """Record leave."""
    trainee = get_trainee_or_403(trainee_id)
    form = LeaveForm(trainee=trainee)
    if form.validate_on_submit() and saved(form, services.create_leave, trainee, actor=current_user):
        return back_to(trainee, "Leave recorded.", "leave-heading")
    return render_template("trainees/leave_form.html", form=form, trainee=trainee, title="Record leave")


@bp.route("/trainees/<int:trainee_id>/leave/<int:leave_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_leave(trainee_id: int, leave_id: int):
    """Change leave."""
    trainee, leave = get_record_or_403(Leave, trainee_id, leave_id)
    form = EditLeaveForm(trainee=trainee, leave=leave)
    if form.validate_on_submit() and saved(form, services.update_leave, leave, actor=current_user):
        return back_to(trainee, "Leave changed.", "leave-heading")
    return render_template("trainees/leave_form.html", form=form, trainee=trainee, title=f"Edit leave: {describe(leave)}")


# --- the profile: supervisor, start date and cohort (admins) ---


@bp.route("/trainees/<int:trainee_id>/profile", methods=["GET", "POST"])
@admin_required
def edit_profile(trainee_id: int):
    """Change a trainee's supervisor, start date or cohort."""
    trainee = db.get_or_404(Trainee, trainee_id)
    form = TraineeProfileForm(trainee=trainee)
    if form.validate_on_submit() and saved(form, services.update_trainee, trainee, actor=current_user):
        flash(f"{trainee.user.name}'s supervisor, start date and cohort were saved.", "success")
        return redirect(url_for("trainees.show", trainee_id=trainee.id))
    return render_template("trainees/profile_form.html", form=form, trainee=trainee)


@bp.route("/trainees/<int:trainee_id>/target-roles", methods=["GET", "POST"])
@staff_required
def edit_target_roles(trainee_id: int):
    """Set the roles a trainee aims for, in order of preference (their supervisor, or an admin)."""
    trainee = get_trainee_or_403(trainee_id)
    form = TargetRolesForm(trainee=trainee)
    if form.validate_on_submit() and saved(form, services.set_target_roles, trainee, actor=current_user):
        return back_to(trainee, f"{trainee.user.name}'s target roles were saved.", "target-roles-heading")
    return render_template("trainees/target_roles_form.html", form=form, trainee=trainee)


@bp.route("/admin/trainees/<int:trainee_id>/edit", methods=["GET", "POST"])
def old_profile_address(trainee_id: int):
    """Where the profile form used to be: sent on to its address, form data and all (308)."""
    return redirect(url_for("trainees.edit_profile", trainee_id=trainee_id), code=308)

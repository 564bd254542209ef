"""Recording and changing a trainee's rotations and module results (supervisors and admins)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.auth.access import staff_required
from tracker.forms_support import saved
from tracker.trainees import services
from tracker.trainees.access import get_record_or_403, get_trainee_or_403
from tracker.trainees.forms import (
    DeleteRecordForm,
    EditResultForm,
    EditRotationForm,
    EndRotationForm,
    ResultForm,
    RotationForm,
)
from tracker.trainees.models import ModuleResult, Rotation, Trainee

bp = Blueprint("records", __name__, url_prefix="/trainees")


def back_to(trainee: Trainee, message: str, anchor: str):
    """Flash what happened and return to the trainee's page."""
    flash(message, "success")
    return redirect(url_for("trainees.show", trainee_id=trainee.id, _anchor=anchor))


def describe(record: Rotation | ModuleResult) -> str:
    """One line naming a rotation or result, for headings and confirmations."""
    if isinstance(record, Rotation):
        until = record.end_date.isoformat() if record.end_date else "ongoing"
        return f"{record.job_type.name}, {record.start_date.isoformat()} to {until}"
    return f"{record.module.name} on {record.completed_on.isoformat()}"


@bp.route("/<int:trainee_id>/rotations/new", methods=["GET", "POST"])
@staff_required
def new_rotation(trainee_id: int):
    """Record a rotation."""
    trainee = get_trainee_or_403(trainee_id)
    form = RotationForm(trainee=trainee)
    if form.validate_on_submit() and saved(form, services.create_rotation, trainee, supervisor=trainee.supervisor, actor=current_user):
        return back_to(trainee, "Rotation recorded.", "rotations-heading")
    return render_template("trainees/rotation_form.html", form=form, trainee=trainee, title="Record a rotation")


@bp.route("/<int:trainee_id>/rotations/<int:rotation_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_rotation(trainee_id: int, rotation_id: int):
    """Change a rotation."""
    trainee, rotation = get_record_or_403(Rotation, trainee_id, rotation_id)
    title = f"Edit rotation: {describe(rotation)}"
    form = EditRotationForm(trainee=trainee, rotation=rotation)
    if form.validate_on_submit() and saved(form, services.update_rotation, rotation, actor=current_user):
        return back_to(trainee, "Rotation changed.", "rotations-heading")
    return render_template("trainees/rotation_form.html", form=form, trainee=trainee, title=title)


@bp.route("/<int:trainee_id>/rotations/<int:rotation_id>/end", methods=["GET", "POST"])
@staff_required
def end_rotation(trainee_id: int, rotation_id: int):
    """End an ongoing rotation and rate it."""
    trainee, rotation = get_record_or_403(Rotation, trainee_id, rotation_id)
    title = f"End and rate: {describe(rotation)}"
    form = EndRotationForm(trainee=trainee, rotation=rotation)
    if form.validate_on_submit() and saved(form, services.end_rotation, rotation, actor=current_user):
        return back_to(trainee, "Rotation ended.", "rotations-heading")
    return render_template("trainees/end_rotation.html", form=form, trainee=trainee, title=title)


@bp.route("/<int:trainee_id>/results/new", methods=["GET", "POST"])
@staff_required
def new_result(trainee_id: int):
    """Record a module result."""
    trainee = get_trainee_or_403(trainee_id)
    form = ResultForm(trainee=trainee)
    if form.validate_on_submit() and saved(form, services.create_result, trainee, actor=current_user):
        return back_to(trainee, "Module result recorded.", "results-heading")
    return render_template("trainees/result_form.html", form=form, trainee=trainee, title="Record a module result")


@bp.route("/<int:trainee_id>/results/<int:result_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_result(trainee_id: int, result_id: int):
    """Change a module result."""
    trainee, result = get_record_or_403(ModuleResult, trainee_id, result_id)
    title = f"Edit result: {describe(result)}"
    form = EditResultForm(trainee=trainee, result=result)
    if form.validate_on_submit() and saved(form, services.update_result, result, actor=current_user):
        return back_to(trainee, "Module result changed.", "results-heading")
    return render_template("trainees/result_form.html", form=form, trainee=trainee, title=title)


@bp.route("/<int:trainee_id>/rotations/<int:record_id>/delete", methods=["GET", "POST"], defaults={"kind": "rotation"})
@bp.route("/<int:trainee_id>/results/<int:record_id>/delete", methods=["GET", "POST"], defaults={"kind": "result"})
@staff_required
def delete_record(trainee_id: int, record_id: int, kind: str):
    """Ask to confirm, then delete a rotation or a module result."""
    model, remove = DELETABLE[kind]
    trainee, record = get_record_or_403(model, trainee_id, record_id)
    summary = describe(record)
    form = DeleteRecordForm(trainee=trainee, record=record)
    if form.validate_on_submit() and saved(form, remove, record, actor=current_user):
        return back_to(trainee, f"Deleted {summary}.", f"{kind}s-heading")
    return render_template("trainees/confirm_delete.html", form=form, trainee=trainee, kind=kind, summary=summary)


DELETABLE = {
    "rotation": (Rotation, services.delete_rotation),
    "result": (ModuleResult, services.delete_result),
}

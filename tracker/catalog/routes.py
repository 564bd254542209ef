"""The admins' catalogue pages: job types, modules and target roles (create, edit, take out of use) and role requirements."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.access import admin_required
from tracker.catalog import services
from tracker.catalog.forms import (
    JobTypeForm,
    ModuleForm,
    ModuleRequirementForm,
    NewJobTypeForm,
    NewModuleForm,
    NewRoleForm,
    RoleForm,
    RotationRequirementForm,
)
from tracker.catalog.models import JobType, ModuleRequirement, RotationRequirement, TargetRole, TrainingModule
from tracker.extensions import db
from tracker.web.forms import ActiveForm, ConfirmForm, flash_errors, saved

bp = Blueprint("catalog", __name__, url_prefix="/admin/catalog")


@dataclass(frozen=True)
class Kind:
    """One kind of catalogue record and how its pages show it."""

    model: type
    new_form: type
    edit_form: type
    title: str
    singular: str
    columns: tuple[tuple[str, str], ...]


KINDS = {
    "job-types": Kind(JobType, NewJobTypeForm, JobTypeForm, "Job types", "job type",
                      (("Code", "code"), ("Name", "name"), ("Capacity", "capacity"))),
    "modules": Kind(TrainingModule, NewModuleForm, ModuleForm, "Training modules", "module",
                    (("Code", "code"), ("Name", "name"), ("Pass score", "pass_score"), ("Valid for (months)", "valid_months"))),
    "roles": Kind(TargetRole, NewRoleForm, RoleForm, "Target roles", "target role",
                  (("Code", "code"), ("Name", "name"), ("Weeks in total", "min_total_weeks"), ("Job types", "min_distinct_job_types"))),
}
SLUGS = "any('job-types', 'modules', 'roles')"


@dataclass(frozen=True)
class RequirementKind:
    """Rotation or module requirements of a role."""

    model: type
    form: type
    add: Callable
    singular: str


REQUIREMENTS = {
    "rotation-requirements": RequirementKind(RotationRequirement, RotationRequirementForm, services.add_rotation_requirement, "rotation requirement"),
    "module-requirements": RequirementKind(ModuleRequirement, ModuleRequirementForm, services.add_module_requirement, "module requirement"),
}
REQUIREMENT_SLUGS = "any('rotation-requirements', 'module-requirements')"


def get_item_or_404(kind: Kind, item_id: int):
    """The catalogue record of this kind, or 404."""
    return db.session.get(kind.model, item_id) or abort(404)


def get_requirement_or_404(role: TargetRole, kind: RequirementKind, requirement_id: int):
    """The role's requirement of this kind, or 404."""
    requirement = db.session.get(kind.model, requirement_id)
    if requirement is None or requirement.role_id != role.id:
        abort(404)
    return requirement


@bp.route("/")
@admin_required
def overview():
    """The catalogue starts with its job types."""
    return redirect(url_for("catalog.items", kind="job-types"))


@bp.route(f"/<{SLUGS}:kind>/")
@admin_required
def items(kind: str):
    """Every record of a kind, those in use first."""
    spec = KINDS[kind]
    records = db.session.scalars(select(spec.model).order_by(spec.model.active.desc(), spec.model.name)).all()
    return render_template("catalog/items.html", spec=spec, kind=kind, kinds=KINDS, records=records, toggle=ActiveForm())


@bp.route(f"/<{SLUGS}:kind>/new", methods=["GET", "POST"])
@admin_required
def new_item(kind: str):
    """Create a job type, module or target role."""
    spec = KINDS[kind]
    form = spec.new_form()
    if form.validate_on_submit() and saved(form, services.create_catalog_item, spec.model, actor=current_user):
        flash(f"The {spec.singular} {form.name.data.strip()} was created.", "success")
        return redirect(url_for("catalog.items", kind=kind))
    return render_template("catalog/form.html", form=form, spec=spec, kind=kind, item=None)


@bp.route(f"/<{SLUGS}:kind>/<int:item_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_item(kind: str, item_id: int):
    """Change a job type, module or target role (not its code)."""
    spec = KINDS[kind]
    item = get_item_or_404(spec, item_id)
    form = spec.edit_form(obj=item)
    if form.validate_on_submit() and saved(form, services.update_catalog_item, item, actor=current_user):
        flash(f"The {spec.singular} {item.name} was changed.", "success")
        return redirect(url_for("catalog.items", kind=kind))
    return render_template("catalog/form.html", form=form, spec=spec, kind=kind, item=item)


@bp.route(f"/<{SLUGS}:kind>/<int:item_id>/active", methods=["POST"])
@admin_required
def set_active(kind: str, item_id: int):
    """Take a record out of use, or back into use; nothing that points at it changes."""
    spec = KINDS[kind]
    item = get_item_or_404(spec, item_id)
    form = ActiveForm()
    if form.validate_on_submit() and saved(form, services.set_catalog_item_active, item, actor=current_user):
        state = "back in use" if item.active else "out of use; what was recorded with it stays as it is"
        flash(f"The {spec.singular} {item.name} is {state}.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("catalog.items", kind=kind))


@bp.route("/roles/<int:role_id>")
@admin_required
def role(role_id: int):
    """A target role with its requirements."""
    role = get_item_or_404(KINDS["roles"], role_id)
    return render_template("catalog/role.html", role=role, remove=ConfirmForm())


@bp.route(f"/roles/<int:role_id>/<{REQUIREMENT_SLUGS}:kind>/new", methods=["GET", "POST"])
@admin_required
def new_requirement(role_id: int, kind: str):
    """Add a rotation or module requirement to a role."""
    role, spec = get_item_or_404(KINDS["roles"], role_id), REQUIREMENTS[kind]
    form = spec.form(role=role)
    if form.validate_on_submit() and saved(form, spec.add, role, actor=current_user):
        flash(f"The {spec.singular} was added to {role.name}.", "success")
        return redirect(url_for("catalog.role", role_id=role.id))
    return render_template("catalog/requirement_form.html", form=form, role=role, spec=spec, requirement=None)


@bp.route(f"/roles/<int:role_id>/<{REQUIREMENT_SLUGS}:kind>/<int:requirement_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_requirement(role_id: int, kind: str, requirement_id: int):
    """Change a requirement's thresholds."""
    role, spec = get_item_or_404(KINDS["roles"], role_id), REQUIREMENTS[kind]
    requirement = get_requirement_or_404(role, spec, requirement_id)
    form = spec.form(obj=requirement, role=role, requirement=requirement)
    if form.validate_on_submit() and saved(form, services.update_requirement, requirement, actor=current_user):
        flash(f"The {spec.singular} was changed.", "success")
        return redirect(url_for("catalog.role", role_id=role.id))
    return render_template("catalog/requirement_form.html", form=form, role=role, spec=spec, requirement=requirement)


@bp.route(f"/roles/<int:role_id>/<{REQUIREMENT_SLUGS}:kind>/<int:requirement_id>/remove", methods=["POST"])
@admin_required
def remove_requirement(role_id: int, kind: str, requirement_id: int):
    """Drop a requirement from a role."""
    role, spec = get_item_or_404(KINDS["roles"], role_id), REQUIREMENTS[kind]
    requirement = get_requirement_or_404(role, spec, requirement_id)
    form = ConfirmForm()
    if form.validate_on_submit() and saved(form, services.remove_requirement, requirement, actor=current_user):
        flash(f"The {spec.singular} was removed from {role.name}.", "success")
    return redirect(url_for("catalog.role", role_id=role.id))

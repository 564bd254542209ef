"""The admins' user pages: accounts (create with an invitation, change, deactivate) and trainees' supervisors."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from tracker.auth.access import admin_required
from tracker.auth.models import ROLES, User
from tracker.extensions import db
from tracker.trainees.models import Trainee
from tracker.users import services
from tracker.users.forms import EditUserForm, NewUserForm
from tracker.web.forms import ActiveForm, ConfirmForm, flash_errors, saved
from tracker.web.pagination import paginate

bp = Blueprint("users", __name__, url_prefix="/admin")


@bp.route("/users/")
@admin_required
def index():
    """Every user, filtered by role and by name or email, paginated."""
    filters = {key: request.args.get(key, "").strip() for key in ("q", "role")}
    query = select(User).order_by(User.name, User.id)
    if filters["role"] in ROLES:
        query = query.where(User.role == filters["role"])
    if filters["q"]:
        text = filters["q"].lower()
        query = query.where(or_(func.lower(User.name).contains(text, autoescape=True), User.email.contains(text, autoescape=True)))
    page = paginate(query)
    trainee_ids = dict(db.session.execute(select(Trainee.user_id, Trainee.id).where(Trainee.user_id.in_([u.id for u in page.items]))).all())
    return render_template(
        "users/index.html", page=page, filters=filters, roles=ROLES, trainee_ids=trainee_ids,
        toggle=ActiveForm(), invite=ConfirmForm(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    """Create an account; the person is invited by email to set a password."""
    form = NewUserForm()
    if form.validate_on_submit() and saved(form, services.create_account, actor=current_user):
        flash(f"Account created for {form.name.data.strip()}; an invitation was sent to {form.email.data}.", "success")
        return redirect(url_for("users.index"))
    return render_template("users/new.html", form=form)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Change an account's email, name or role."""
    user = db.get_or_404(User, user_id)
    form = EditUserForm(user=user)
    if form.validate_on_submit() and saved(form, services.update_account, user, actor=current_user):
        flash(f"{user.name}'s account was changed.", "success")
        return redirect(url_for("users.index"))
    return render_template("users/edit.html", form=form, user=user)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def set_active(user_id: int):
    """Deactivate an account (it can no longer sign in), or activate it again."""
    user = db.get_or_404(User, user_id)
    form = ActiveForm()
    if form.validate_on_submit() and saved(form, services.set_account_active, user, actor=current_user):
        flash(f"{user.name} can {'now' if user.active else 'no longer'} sign in.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("users.index"))


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
@admin_required
def invite(user_id: int):
    """Send a fresh invitation to set a password."""
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit() and saved(form, services.reinvite, user):
        flash(f"An invitation was sent to {user.email}.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("users.index"))

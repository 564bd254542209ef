"""Accounts from the admin pages: create (with an invitation), change, deactivate, reinvite."""
from datetime import date

from sqlalchemy import func, select

from tracker.audit.services import record_change, snapshot
from tracker.auth.models import User
from tracker.auth.services import UserError, check_name, create_user
from tracker.extensions import db
from tracker.invitations.services import send_invitation
from tracker.trainees.models import Trainee
from tracker.trainees.services import create_trainee


def create_account(
    actor, email: str, name: str, role: str, supervisor: User | None = None,
    start_date: date | None = None, cohort: str = "",
) -> User:
    """A new user (a trainee record too, for trainees) who is invited by email to set a password."""
    if role == "trainee":
        user = create_trainee(email, name, supervisor, start_date, cohort, actor=actor).user
    else:
        user = create_user(email, name, role)
        record_change(actor, "create", user, before=None)
    send_invitation(user)
    return user


def active_trainee_count(user: User) -> int:
    """How many active trainees this user is the supervisor of."""
    return db.session.scalar(
        select(func.count()).select_from(Trainee).where(Trainee.supervisor_id == user.id, Trainee.status == "active")
    )


def update_account(user: User, actor, email: str, name: str, role: str) -> User:
    """Change a user's email, name or (between admin and supervisor) role."""
    if role != user.role:
        check_role_change(user, actor, role)
    name = check_name(name)
    before = snapshot(user)
    user.email, user.name, user.role = email, name, role
    db.session.flush()
    if snapshot(user) != before:
        record_change(actor, "update", user, before=before)
    return user


def check_role_change(user: User, actor, role: str) -> None:
    """Trainees stay trainees; supervisors keep their role while they supervise; admins cannot demote themselves."""
    if "trainee" in (role, user.role):
        raise UserError("A trainee's role cannot change, and a staff member cannot become a trainee.", "role")
    if user.id == getattr(actor, "id", None):
        raise UserError("You cannot change your own role.", "role")
    if user.role == "supervisor" and active_trainee_count(user):
        raise UserError(f"{user.name} supervises active trainees: assign them to another supervisor first.", "role")


def set_account_active(user: User, active: bool, actor) -> User:
    """Let a user sign in again, or stop them (ending every session they have); their records stay."""
    if not active and user.id == getattr(actor, "id", None):
        raise UserError("You cannot deactivate your own account.")
    if not active and user.role == "supervisor" and active_trainee_count(user):
        raise UserError(f"{user.name} supervises active trainees: assign them to another supervisor first.")
    before = snapshot(user)
    user.active = active
    if not active:
        user.end_sessions()
    db.session.flush()
    if snapshot(user) != before:
        record_change(actor, "update", user, before=before)
    return user


def reinvite(user: User) -> None:
    """Send a fresh invitation to an active user without a password (earlier links stay valid until used or expired)."""
    if not user.active:
        raise UserError(f"{user.name}'s account is deactivated; activate it before inviting.")
    if user.password_hash:
        raise UserError(f"{user.name} has already set a password.")
    send_invitation(user)

"""Whose digest the signed-in user may preview: a supervisor their own, an admin anyone's."""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.models import User
from tracker.extensions import db


def preview_choices(user) -> list[tuple[int, str]]:
    """The supervisors whose digest this user may pick: every supervisor for an admin, none otherwise."""
    if not user.is_admin:
        return []
    rows = db.session.execute(
        select(User.id, User.name).where(User.role == "supervisor", User.active).order_by(User.name, User.id)
    )
    return [tuple(row) for row in rows]


def get_preview_recipient_or_403(chosen_id: int | None) -> int:
    """The id whose digest to show: your own unless you are an admin picking a supervisor (0 or None: yours)."""
    if not chosen_id or chosen_id == current_user.id:
        return current_user.id
    if not current_user.is_admin:
        abort(403)
    return chosen_id

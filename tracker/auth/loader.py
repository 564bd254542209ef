"""Flask-Login wiring."""
from flask import Flask

from tracker.auth.models import User
from tracker.core.parsing import parse_id
from tracker.extensions import db, login_manager


def init_login(app: Flask) -> None:
    """Attach Flask-Login: sign-in page, user loader, protection of the session."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in user, if the session names an active user and their current session version (see User.get_id)."""
    user_id, _, version = session_id.partition(":")
    user = db.session.get(User, parse_id(user_id)) if parse_id(user_id) else None
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user

"""Flask-Login wiring."""
from flask import Flask

from tracker.auth.models import User
from tracker.extensions import db, login_manager


def init_login(app: Flask) -> None:
    """Attach Flask-Login: sign-in page, user loader, protection of the session."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user, if the id is still an active user's."""
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))

"""Error pages: one template for every error, shown even when the database cannot be reached; a 500 rolls the session back."""
from flask import Blueprint, g, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from tracker.extensions import db, login_manager

bp = Blueprint("errors", __name__)

# How long a client is asked to wait before trying again while the database is unreachable.
RETRY_AFTER_SECONDS = 30


def error_page(status: int, title: str, message: str, headers: dict | None = None):
    """Render the shared error template (without the user menu when the signed-in user cannot be had)."""
    show_signed_out_unless_user_loads()
    return render_template("errors/error.html", status=status, title=title, message=message), status, headers or {}


def show_signed_out_unless_user_loads() -> None:
    """Load the signed-in user for the page's menu now; if the database fails, show the page signed out.

    The user comes from the database (and again after a rollback): an error
    page that needed it while the database is down would fail in turn, and
    the browser would get the server's bare "Internal Server Error".
    """
    try:
        user = current_user._get_current_object()
        if user.is_authenticated:
            user.name, user.role  # noqa: B018 (loads the row the menu shows)
    except SQLAlchemyError:
        roll_back()
        g._login_user = login_manager.anonymous_user()


def roll_back() -> None:
    """Undo the request's unfinished work, if the database is there to hear it."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass


@bp.app_errorhandler(400)
def bad_request(error):
    return error_page(400, "Bad request", error.description)


@bp.app_errorhandler(403)
def forbidden(error):
    return error_page(403, "Not allowed", "Your account may not open this page.")


@bp.app_errorhandler(404)
def not_found(error):
    return error_page(404, "Not found", "There is nothing at this address.")


@bp.app_errorhandler(413)
def too_large(error):
    return error_page(413, "File too large", "The upload is larger than this site accepts. Split the file and import the parts.")


@bp.app_errorhandler(CSRFError)
def csrf_failed(error):
    return error_page(400, "Form expired", "The form was too old or not sent from this site. Reload the page and try again.")


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(InterfaceError)
def database_unavailable(error):
    """The database cannot be reached (or is too busy to answer in time): 503, and when to try again."""
    roll_back()
    return error_page(
        503, "Temporarily unavailable",
        "The database cannot be reached just now, so this page cannot be shown. Try again in a minute; "
        "if you were saving a change, check afterwards whether it was saved.",
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


@bp.app_errorhandler(500)
def internal_error(error):
    roll_back()
    return error_page(500, "Something went wrong", "The error has been logged. Nothing was saved.")

"""Error pages: one template for every error, and a 500 that rolls the session back."""
from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError

from tracker.extensions import db

bp = Blueprint("errors", __name__)


def error_page(status: int, title: str, message: str):
    """Render the shared error template."""
    return render_template("errors/error.html", status=status, title=title, message=message), status


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


@bp.app_errorhandler(500)
def internal_error(error):
    db.session.rollback()
    return error_page(500, "Something went wrong", "The error has been logged. Nothing was saved.")
